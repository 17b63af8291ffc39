# Prefetch pipeline: run time against simulated I/O per batch, per depth.
set datafile separator ","
set key autotitle columnhead left top
set xlabel "simulated I/O per batch (ms)"
set ylabel "run time (ms)"
set title "Prefetch: time against io_ms"
set grid
stats datafile skip 1 nooutput
plot for [i=2:STATS_columns] datafile using 1:i with linespoints
