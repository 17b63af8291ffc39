# Preprocessing throughput against workers, one line per pool and decode.
set datafile separator ","
set key autotitle columnhead left top
set logscale x 2
set xlabel "workers"
set ylabel "images per second"
set title "Preprocessing throughput against workers"
set grid
stats datafile skip 1 nooutput
plot for [i=2:STATS_columns] datafile using 1:i with linespoints
