#!/bin/sh
# Makes the tagged test photos of this directory from the shared test photos
# render/testdata/photos/grace-hopper.jpg and dogs-at-window-tall.jpg (see
# README.md for their licences).
# Tools: Debian 12, exiftool 12.57 (apt-get install libimage-exiftool-perl),
# ImageMagick 6.9.11-60 (convert). Run from this directory: sh make.sh
set -eu
SRC=../../../testdata/photos/grace-hopper.jpg
ET="exiftool -q -overwrite_original"

# The face, tagged on the upright photo (512x600): x 168-372, y 118-318,
# that is centre 0.52734, 0.36333 and size 0.39844 x 0.33333 (MWG areas
# give the centre).
FACE='{Area={X=0.52734,Y=0.36333,W=0.39844,H=0.33333,Unit=normalized},Type=Face,Name=Grace Hopper}'

# 1. grace-hopper-tagged.jpg: the photo as it is (exiftool does not
# re-encode), with MWG and IPTC regions, and XMP and IPTC-IIM text that
# differ (XMP wins), the IIM in UTF-8 (1:90 ESC % G).
cp $SRC grace-hopper-tagged.jpg
$ET -charset iptc=UTF8 -IPTC:CodedCharacterSet=UTF8 \
  "-RegionInfo={AppliedToDimensions={W=512,H=600,Unit=pixel},RegionList=[$FACE,{Area={X=0.5,Y=0.5,W=0.1,H=0.1,Unit=normalized},Type=BarCode}]}" \
  '-ImageRegion=[{RegionBoundary={RbShape=rectangle,RbUnit=relative,RbX=0.29297,RbY=0.03333,RbW=0.44141,RbH=0.5},rId=head,Name=Grace Hopper (head),RCtype=[{Identifier=[http://cv.iptc.org/newscodes/imageregiontype/human]}],RRole=[{Identifier=[http://cv.iptc.org/newscodes/imageregionrole/mainSubjectArea]}]},{RegionBoundary={RbShape=circle,RbUnit=pixel,RbX=388,RbY=510,RbRx=70},rId=ribbons,Name=Ribbons,RCtype=[{Identifier=[http://cv.iptc.org/newscodes/imageregiontype/artwork]}]},{RegionBoundary={RbShape=polygon,RbUnit=pixel,RbVertices=[{RbX=80,RbY=484},{RbX=166,RbY=484},{RbX=166,RbY=516},{RbX=80,RbY=516}]},rId=badge,Name=Name badge},{RegionBoundary={RbShape=rectangle,RbUnit=relative,RbX=0,RbY=0,RbW=1,RbH=0.6},rId=crop,RRole=[{Identifier=[http://cv.iptc.org/newscodes/imageregionrole/landscapeCropping]}]}]' \
  '-XMP-photoshop:Credit=U.S. Navy — Photo Desk' \
  '-XMP-dc:Creator=James S. Davis' '-XMP-dc:Creator=Navy Photographer' \
  '-XMP-dc:Rights=Public domain (US Navy)' \
  '-XMP-dc:Description=Rear Admiral Grace M. Hopper, 1984.' \
  '-IPTC:Credit=IIM credit' '-IPTC:By-line=IIM byline' \
  '-IPTC:CopyrightNotice=IIM copyright' '-IPTC:Caption-Abstract=IIM caption' \
  grace-hopper-tagged.jpg

# 2. grace-hopper-rotated6.jpg: pixels stored turned 90° counter-clockwise
# (600x512) with EXIF Orientation 6; the MWG face area is tagged on the
# stored image, as the MWG guidelines ask (stored x = upright y, stored
# y = 1 - upright x): centre 0.36333, 0.47266, size 0.33333 x 0.39844.
# Text in IPTC-IIM only, Latin-1 (no 1:90).
convert $SRC -rotate -90 -quality 90 grace-hopper-rotated6.jpg
$ET -n -Orientation=6 -charset iptc=Latin1 \
  '-RegionInfo={AppliedToDimensions={W=600,H=512,Unit=pixel},RegionList=[{Area={X=0.36333,Y=0.47266,W=0.33333,H=0.39844,Unit=normalized},Type=Face,Name=Grace Hopper}]}' \
  '-IPTC:Credit=Marine Nationale / Café' '-IPTC:By-line=José Núñez' '-IPTC:By-line=Ann Other' \
  '-IPTC:CopyrightNotice=© US Navy' '-IPTC:Caption-Abstract=Grace Hopper, turned.' \
  grace-hopper-rotated6.jpg

# 3. grace-hopper-small.png and .webp: 128x150, XMP only (PNG iTXt, WebP
# "XMP " chunk).
for f in png webp; do
  convert $SRC -resize 128x150 -strip grace-hopper-small.$f
  $ET "-RegionInfo={RegionList=[$FACE]}" '-XMP-photoshop:Credit=Small credit' \
    grace-hopper-small.$f
done

# 4. grace-hopper-extended.jpg: 128x150 with a caption of 70,000 bytes, too
# big for the one APP1 segment of standard XMP, so exiftool writes it as
# Extended XMP (in several APP1 segments); the regions stay in the main
# packet.
convert $SRC -resize 128x150 -strip -quality 85 grace-hopper-extended.jpg
awk 'BEGIN { s = "Extended caption."; while (length(s) < 70000) s = s " Grace Hopper at work."; print s }' > /tmp/long-caption.txt
$ET "-RegionInfo={RegionList=[$FACE]}" '-XMP-dc:Description<=/tmp/long-caption.txt' \
  grace-hopper-extended.jpg
rm /tmp/long-caption.txt

# 5. dogs-tagged.jpg: the CC-BY-4.0 photo of two dogs at a window (no
# face a face detector finds), downscaled to 400x601, each dog's head
# tagged as an MWG "Pet" region, the attribution in the credit.
convert ../../../testdata/photos/dogs-at-window-tall.jpg -resize 400x601 -strip -quality 85 dogs-tagged.jpg
$ET '-RegionInfo={AppliedToDimensions={W=400,H=601,Unit=pixel},RegionList=[{Area={X=0.41,Y=0.31614,W=0.23,H=0.18303,Unit=normalized},Type=Pet,Name=Upper dog},{Area={X=0.56875,Y=0.52413,W=0.2125,H=0.16639,Unit=normalized},Type=Pet,Name=Lower dog}]}' \
  '-XMP-photoshop:Credit=Aitzol Berasategi, CC BY 4.0' '-XMP-dc:Creator=Aitzol Berasategi' \
  '-XMP-dc:Rights=CC BY 4.0' dogs-tagged.jpg

# What exiftool reads back (compared by TestEmbeddedMatchesExiftool); the
# extended file's 70,000-byte caption is left out of the JSON.
TAGS="-Orientation -RegionInfo -ImageRegion -XMP-photoshop:Credit -XMP-dc:Creator
  -XMP-dc:Rights -IPTC:Credit -IPTC:By-line -IPTC:CopyrightNotice -IPTC:Caption-Abstract
  -XMP-xmpNote:HasExtendedXMP"
exiftool -j -struct -G1 -n $TAGS -XMP-dc:Description grace-hopper-tagged.jpg \
  grace-hopper-rotated6.jpg grace-hopper-small.png grace-hopper-small.webp dogs-tagged.jpg > exiftool.json
exiftool -j -struct -G1 -n $TAGS grace-hopper-extended.jpg > exiftool-extended.json
