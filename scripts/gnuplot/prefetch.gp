# Prefetch pipeline: run time against simulated I/O per batch, per depth,
# with error bars (the 95% interval of the median; min-max below 6
# repetitions) and the bound n*max(io,c)+min(io,c) as points.
if (!exists("fixed")) fixed = ""
if (!exists("bars")) bars = ""  # what the error bars are (report.py)
set datafile separator ","
set datafile missing ""
set key left top noenhanced
set xlabel "simulated I/O per batch (ms)"
set ylabel "run time (ms)"
set title "Prefetch: time against simulated I/O per batch".(bars ne "" ? "\n".bars : "") noenhanced
set grid
set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08
set bars small
set autoscale yfix
# ncols: the CSV's column count, passed by report.py (-e "ncols=N"):
# io_ms, bound, then ms, lo, hi per depth
plot datafile using 1:2 with linespoints dt 2 lc "black" pt 5 title "bound", \
     for [i=0:(ncols-2)/3-1] datafile using 1:(column(3+3*i)):(column(4+3*i)):(column(5+3*i)) \
     with yerrorlines title columnhead(3+3*i)
