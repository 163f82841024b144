#!/bin/sh
# Regenerates the jpegscale test files. Needs Debian's libjpeg-turbo-progs
# (cjpeg, djpeg). Run from this directory: sh make.sh
set -eu
src=../../../testdata/photos/chelsea-cat.jpg
# A 170x113 source (odd sizes on purpose: partial MCUs on both edges).
djpeg -scale 3/8 -pnm "$src" > /tmp/jpegscale-src.ppm
cjpeg -quality 85 -sample 1x1 /tmp/jpegscale-src.ppm > cat444.jpg
cjpeg -quality 85 -sample 2x1 /tmp/jpegscale-src.ppm > cat422.jpg
cjpeg -quality 85 -sample 2x2 /tmp/jpegscale-src.ppm > cat420.jpg
cjpeg -quality 85 -sample 2x2 -restart 1 /tmp/jpegscale-src.ppm > cat420-rst1.jpg
cjpeg -quality 85 -sample 1x1 -restart 5B /tmp/jpegscale-src.ppm > cat444-rst5b.jpg
cjpeg -quality 85 -grayscale /tmp/jpegscale-src.ppm > catgray.jpg
cjpeg -quality 85 -grayscale -restart 2 /tmp/jpegscale-src.ppm > catgray-rst2.jpg
cjpeg -quality 85 -progressive /tmp/jpegscale-src.ppm > catprog.jpg
cjpeg -quality 85 -progressive -sample 1x1 -restart 1 /tmp/jpegscale-src.ppm > catprog444-rst1.jpg
rm -f /tmp/jpegscale-src.ppm
# References for the reduced scales: libjpeg-turbo's scaled IDCT. Luma
# (-grayscale keeps only Y) for every sampling; full RGB only for 4:4:4,
# because for subsampled chroma libjpeg picks a larger chroma DCT size.
for f in cat444 cat422 cat420 cat420-rst1 catgray catprog catprog444-rst1; do
	for n in 2 4 8; do
		djpeg -grayscale -dct int -scale 1/$n -pnm $f.jpg > $f.y.1-$n.pgm
	done
done
for n in 2 4 8; do
	djpeg -dct int -scale 1/$n -pnm cat444.jpg > cat444.rgb.1-$n.ppm
done
