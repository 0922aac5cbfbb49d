//go:build amd64 && !purego

package related

// dotSSE returns the dot product of the n float32s at a and b, n a
// multiple of 16.
//
//go:noescape
func dotSSE(a, b *float32, n int) float32

// dotNormSSE returns the dot product of the n float32s at q and v and the
// squared norm of v's, n a multiple of 16.
//
//go:noescape
func dotNormSSE(q, v *float32, n int) (d, nn float32)

// dot is the dot product of a and b, which have the same length.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	n := len(a) &^ 15
	if n == 0 {
		return dotGo(a, b)
	}
	s := dotSSE(&a[0], &b[0], n)
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// dotNorm is the dot product of q and v and the squared norm of v, in one
// pass; v has q's length.
func dotNorm(q, v []float32) (d, nn float32) {
	v = v[:len(q)]
	n := len(q) &^ 15
	if n == 0 {
		return dotNormGo(q, v)
	}
	d, nn = dotNormSSE(&q[0], &v[0], n)
	for i := n; i < len(q); i++ {
		d += q[i] * v[i]
		nn += v[i] * v[i]
	}
	return d, nn
}

// dotQSSE returns the dot product of the n int16s at q and the n int8s at
// c, n a multiple of 16 and at most [maxQuantDim].
//
//go:noescape
func dotQSSE(q *int16, c *int8, n int) int32

// dotQ is the dot product of a quantised query and a quantised vector of
// the same length, at most [maxQuantDim].
func dotQ(q []int16, c []int8) int32 {
	c = c[:len(q)]
	n := len(q) &^ 15
	if n == 0 {
		return dotQGo(q, c)
	}
	s := dotQSSE(&q[0], &c[0], n)
	for i := n; i < len(q); i++ {
		s += int32(q[i]) * int32(c[i])
	}
	return s
}
