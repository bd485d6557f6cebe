# Written by polychat-bench; run in this directory: gnuplot plots.gp
set terminal png size 1000,600
set grid
set output 'throughput.png'
set logscale xy
set xlabel 'members in the room (N)'
set ylabel 'delivered messages/s (peak)'
set title 'room fan-out: peak deliveries'
set key outside right
plot 'fanout-kylochat-faithful.dat' using 1:2 with linespoints lw 2 title 'kylochat faithful', \
  'fanout-pychat-faithful.dat' using 1:2 with linespoints lw 2 title 'pychat faithful', \
  'fanout-pychat-unpaced.dat' using 1:2 with linespoints lw 2 title 'pychat unpaced', \
  'fanout-fernet-hybrid-faithful.dat' using 1:2 with linespoints lw 2 title 'fernet-hybrid faithful', \
  'fanout-fernet-hybrid-unpaced.dat' using 1:2 with linespoints lw 2 title 'fernet-hybrid unpaced', \
  'fanout-null-relay-unpaced.dat' using 1:2 with linespoints lw 2 title 'null-relay unpaced', \
  'fanout-ngircd-faithful.dat' using 1:2 with linespoints lw 2 title 'ngircd faithful', \
  'fanout-ngircd-unpaced.dat' using 1:2 with linespoints lw 2 title 'ngircd unpaced'
set output 'latency.png'
set ylabel 'delivery latency at half of peak (ms)'
set title 'p50 (dotted), p99 (solid), p99.9 (dashed)'
plot 'fanout-kylochat-faithful.dat' using 1:4 with linespoints lc 1 dt 3 notitle, 'fanout-kylochat-faithful.dat' using 1:5 with linespoints lc 1 dt 1 lw 2 title 'kylochat-faithful', 'fanout-kylochat-faithful.dat' using 1:6 with lines lc 1 dt 2 notitle, \
  'fanout-pychat-faithful.dat' using 1:4 with linespoints lc 2 dt 3 notitle, 'fanout-pychat-faithful.dat' using 1:5 with linespoints lc 2 dt 1 lw 2 title 'pychat-faithful', 'fanout-pychat-faithful.dat' using 1:6 with lines lc 2 dt 2 notitle, \
  'fanout-pychat-unpaced.dat' using 1:4 with linespoints lc 3 dt 3 notitle, 'fanout-pychat-unpaced.dat' using 1:5 with linespoints lc 3 dt 1 lw 2 title 'pychat-unpaced', 'fanout-pychat-unpaced.dat' using 1:6 with lines lc 3 dt 2 notitle, \
  'fanout-fernet-hybrid-faithful.dat' using 1:4 with linespoints lc 4 dt 3 notitle, 'fanout-fernet-hybrid-faithful.dat' using 1:5 with linespoints lc 4 dt 1 lw 2 title 'fernet-hybrid-faithful', 'fanout-fernet-hybrid-faithful.dat' using 1:6 with lines lc 4 dt 2 notitle, \
  'fanout-fernet-hybrid-unpaced.dat' using 1:4 with linespoints lc 5 dt 3 notitle, 'fanout-fernet-hybrid-unpaced.dat' using 1:5 with linespoints lc 5 dt 1 lw 2 title 'fernet-hybrid-unpaced', 'fanout-fernet-hybrid-unpaced.dat' using 1:6 with lines lc 5 dt 2 notitle, \
  'fanout-null-relay-unpaced.dat' using 1:4 with linespoints lc 6 dt 3 notitle, 'fanout-null-relay-unpaced.dat' using 1:5 with linespoints lc 6 dt 1 lw 2 title 'null-relay-unpaced', 'fanout-null-relay-unpaced.dat' using 1:6 with lines lc 6 dt 2 notitle, \
  'fanout-ngircd-faithful.dat' using 1:4 with linespoints lc 7 dt 3 notitle, 'fanout-ngircd-faithful.dat' using 1:5 with linespoints lc 7 dt 1 lw 2 title 'ngircd-faithful', 'fanout-ngircd-faithful.dat' using 1:6 with lines lc 7 dt 2 notitle, \
  'fanout-ngircd-unpaced.dat' using 1:4 with linespoints lc 8 dt 3 notitle, 'fanout-ngircd-unpaced.dat' using 1:5 with linespoints lc 8 dt 1 lw 2 title 'ngircd-unpaced', 'fanout-ngircd-unpaced.dat' using 1:6 with lines lc 8 dt 2 notitle
set output 'rss.png'
unset logscale
set xlabel ''
set ylabel 'server RSS per idle session (bytes)'
set title 'idle sessions'
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
plot 'idle.dat' using 0:2:xtic(1) with boxes notitle, 'idle.dat' using 0:2:(sprintf('%.0f B (K=%d)', $2, int($3))) with labels offset 0,1 notitle
