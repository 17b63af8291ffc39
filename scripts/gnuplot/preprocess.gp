# Preprocessing throughput against workers, one line per pool and decode.
set datafile separator ","
set key autotitle columnhead left top noenhanced
set logscale x 2
set xlabel "workers"
set ylabel "images per second"
set title "Preprocessing throughput against workers"
set grid
# ncols: the CSV's column count, passed by report.py (-e "ncols=N")
plot for [i=2:ncols] datafile using 1:i with linespoints
