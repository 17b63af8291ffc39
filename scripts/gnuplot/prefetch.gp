# Prefetch pipeline: run time against simulated I/O per batch, per depth.
set datafile separator ","
set key autotitle columnhead left top noenhanced
set xlabel "simulated I/O per batch (ms)"
set ylabel "run time (ms)"
set title "Prefetch: time against io_ms"
set grid
# ncols: the CSV's column count, passed by report.py (-e "ncols=N")
plot for [i=2:ncols] datafile using 1:i with linespoints
