# Attention time against sequence length per implementation (log-log), with
# error bars: the 95% interval of the median (min-max below 6 repetitions).
# gnuplot -e "datafile='attention.csv'" -e "set terminal pngcairo" -e "set output 'a.png'" attention.gp
# report.py also passes fixed='B1, H8, D64, 2 threads' and the x ticks.
if (!exists("fixed")) fixed = ""
if (!exists("bars")) bars = ""  # what the error bars are (report.py)
set datafile separator ","
set datafile missing ""
set key left top noenhanced
set logscale xy
set xlabel "sequence length N (tokens)"
set ylabel "time per call (ms)"
set title "Attention: time against N".(fixed ne "" ? " (".fixed.")" : "").(bars ne "" ? "\n".bars : "") noenhanced
set grid
set offsets graph 0.02, graph 0.02, graph 0.1, graph 0.1
set bars small
set autoscale yfix
impls = "naive fused flash blas"
# per implementation four columns: ms, ms_lo, ms_hi, gflops
plot for [i=0:3] datafile using 1:(column(2+4*i)):(column(3+4*i)):(column(4+4*i)) \
     with yerrorlines title word(impls, i+1)
