# GTKWave script (gtkwave -S): show the whole run once the dump and the save file are loaded
gtkwave::/Time/Zoom/Zoom_Full
