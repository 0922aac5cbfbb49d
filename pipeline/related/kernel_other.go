//go:build !amd64 || purego

package related

func dot(a, b []float32) float32 { return dotGo(a, b) }

func dotNorm(q, v []float32) (d, n float32) { return dotNormGo(q, v) }

func dotQ(q []int16, c []int8) int32 { return dotQGo(q, c) }
