# Attention time against sequence length, per implementation (log-log).
# gnuplot -e "datafile='attention.csv'" -e "set terminal pngcairo" -e "set output 'a.png'" attention.gp
set datafile separator ","
set key autotitle columnhead left top noenhanced
set logscale xy
set xlabel "sequence length N"
set ylabel "time per call (ms)"
set title "Attention: time against N"
set grid
plot datafile using 1:2 with linespoints title "naive", \
     "" using 1:4 with linespoints title "fused", \
     "" using 1:6 with linespoints title "flash", \
     "" using 1:8 with linespoints title "blas"
