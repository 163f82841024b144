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
cjpeg -quality 85 -rgb /tmp/jpegscale-src.ppm > catrgb.jpg
cjpeg -quality 85 -rgb -progressive /tmp/jpegscale-src.ppm > catrgb-prog.jpg
# 4-component files (need ImageMagick 6, which writes Adobe YCCK, transform
# 2): 4:2:0-style (2x2,1x1,1x1,2x2), 1x1 and progressive. catcmyk.jpg is
# catycck444.jpg with the APP14 transform byte set to 0, so the same data
# reads as inverted Adobe CMYK, as Photoshop writes it.
convert /tmp/jpegscale-src.ppm -quality 85 -colorspace CMYK catycck420.jpg
convert /tmp/jpegscale-src.ppm -quality 85 -sampling-factor 1x1 -colorspace CMYK catycck444.jpg
convert /tmp/jpegscale-src.ppm -quality 85 -sampling-factor 1x1 -interlace JPEG -colorspace CMYK catycck-prog.jpg
off=$(grep -obUa Adobe catycck444.jpg | head -n 1 | cut -d: -f1)
cp catycck444.jpg catcmyk.jpg
printf '\000' | dd of=catcmyk.jpg bs=1 seek=$((off + 11)) conv=notrunc 2>/dev/null
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
	djpeg -dct int -scale 1/$n -pnm catrgb.jpg > catrgb.rgb.1-$n.ppm
done
