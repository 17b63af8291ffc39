# Preprocessing throughput against workers, one line per pool and decode,
# with error bars (the 95% interval of the median; min-max below 6
# repetitions).
if (!exists("fixed")) fixed = ""
if (!exists("bars")) bars = ""  # what the error bars are (report.py)
set datafile separator ","
set datafile missing ""
set key left top noenhanced
set logscale x 2
set xlabel "workers (threads or processes)"
set ylabel "images per second"
set title "Preprocessing throughput against workers".(bars ne "" ? "\n".bars : "") noenhanced
set grid
set offsets graph 0.02, graph 0.02, graph 0.08, graph 0.08
set bars small
set autoscale yfix
# ncols: the CSV's column count, passed by report.py (-e "ncols=N"):
# workers, then img/s, lo, hi per pool and decode
plot for [i=0:(ncols-1)/3-1] datafile using 1:(column(2+3*i)):(column(3+3*i)):(column(4+3*i)) \
     with yerrorlines title columnhead(2+3*i)
