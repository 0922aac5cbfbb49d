// Package cputime reads the CPU time used so far by the running process or
// by the calling thread: the figure benchmarks report beside wall time, as
// other work on a shared machine inflates the wall time but not this.
package cputime
