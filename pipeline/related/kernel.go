package related

import "math"

// The kernels of a ranking: dot products written with several
// accumulators so that the CPU overlaps the additions.

// dot is the dot product of a and b, which have the same length. Eight
// accumulators let the CPU overlap the additions.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		a8, b8 := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += a8[0] * b8[0]
		s1 += a8[1] * b8[1]
		s2 += a8[2] * b8[2]
		s3 += a8[3] * b8[3]
		s4 += a8[4] * b8[4]
		s5 += a8[5] * b8[5]
		s6 += a8[6] * b8[6]
		s7 += a8[7] * b8[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// dotNorm is the dot product of q and v and the squared norm of v, in one
// pass; v has q's length.
func dotNorm(q, v []float32) (d, n float32) {
	v = v[:len(q)]
	var d0, d1, d2, d3, n0, n1, n2, n3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		q4, v4 := q[i:i+4:i+4], v[i:i+4:i+4]
		d0 += q4[0] * v4[0]
		d1 += q4[1] * v4[1]
		d2 += q4[2] * v4[2]
		d3 += q4[3] * v4[3]
		n0 += v4[0] * v4[0]
		n1 += v4[1] * v4[1]
		n2 += v4[2] * v4[2]
		n3 += v4[3] * v4[3]
	}
	for ; i < len(q); i++ {
		d0 += q[i] * v[i]
		n0 += v[i] * v[i]
	}
	return (d0 + d1) + (d2 + d3), (n0 + n1) + (n2 + n3)
}

// maxQuantDim bounds the dimension of a quantised index: up to it, a dot
// product of int16 query components (at most [quantMaxQuery] in magnitude)
// and int8 vector components (at most 127) cannot overflow an int32,
// whatever the vectors: 4096 × 4095 × 127 < 2³¹.
const maxQuantDim = 4096

// quantMaxQuery is the largest magnitude of a quantised query component:
// 12 bits, a relative error of 1/8190 at most, far below the vectors' own.
const quantMaxQuery = 4095

// quantizeQuery writes q's components as int16 in dst, the largest
// magnitude scaled to [quantMaxQuery], and returns the scale:
// q[i] ≈ dst[i] * scale.
func quantizeQuery(q []float32, dst []int16) float32 {
	var m float32
	for _, c := range q {
		m = max(m, float32(math.Abs(float64(c))))
	}
	if m == 0 {
		clear(dst)
		return 0
	}
	inv := quantMaxQuery / m
	for i, c := range q {
		dst[i] = int16(math.Round(float64(c * inv)))
	}
	return m / quantMaxQuery
}

// dotQ is the dot product of int16 and int8 vectors of the same length.
func dotQ(q []int16, c []int8) int32 {
	c = c[:len(q)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		q4, c4 := q[i:i+4:i+4], c[i:i+4:i+4]
		s0 += int32(q4[0]) * int32(c4[0])
		s1 += int32(q4[1]) * int32(c4[1])
		s2 += int32(q4[2]) * int32(c4[2])
		s3 += int32(q4[3]) * int32(c4[3])
	}
	for ; i < len(q); i++ {
		s0 += int32(q[i]) * int32(c[i])
	}
	return (s0 + s1) + (s2 + s3)
}
