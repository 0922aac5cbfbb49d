// Package eval scores signal cards against gold cards.
package eval
