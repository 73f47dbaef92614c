package web_test

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"os"
)

// The browser's fake camera plays a YUV4MPEG2 file (Chromium's --use-file-for-fake-video-capture):
// writeY4M writes one of a few frames, each picture centred on white, grey only (luma; chroma
// neutral). Without a picture, a white frame.
func writeY4M(path string, picture image.Image) error {
	const w, h = 640, 480
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	out := bufio.NewWriter(f)
	fmt.Fprintf(out, "YUV4MPEG2 W%d H%d F5:1 Ip A1:1 C420jpeg\n", w, h)
	luma := make([]byte, w*h)
	for i := range luma {
		luma[i] = 255
	}
	if picture != nil {
		b := picture.Bounds()
		x0, y0 := (w-b.Dx())/2, (h-b.Dy())/2
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				px, py := x0+x-b.Min.X, y0+y-b.Min.Y
				if px >= 0 && px < w && py >= 0 && py < h {
					luma[py*w+px] = color.GrayModel.Convert(picture.At(x, y)).(color.Gray).Y
				}
			}
		}
	}
	chroma := make([]byte, w*h/4)
	for i := range chroma {
		chroma[i] = 128
	}
	for range 5 {
		out.WriteString("FRAME\n")
		out.Write(luma)
		out.Write(chroma)
		out.Write(chroma)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	return f.Close()
}
