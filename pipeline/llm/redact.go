package llm

import "strings"

// Redactor hides secrets — the configured API keys — in the text of errors
// before they are printed, logged or stored: a server may quote the key it
// refused in its error body.
type Redactor struct {
	secrets []string
}

// minSecretLen is the length under which a value is not taken for a key:
// replacing a short, common string would garble the messages.
const minSecretLen = 8

// NewRedactor hides each of secrets (empty and short values are ignored).
func NewRedactor(secrets ...string) Redactor {
	var r Redactor
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= minSecretLen {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// String returns s with every secret replaced by "[redacted]".
func (r Redactor) String(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// Error returns err with its message redacted; errors.Is and errors.As
// still see the errors it wraps. nil stays nil.
func (r Redactor) Error(err error) error {
	if err == nil || len(r.secrets) == 0 {
		return err
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose message had secrets in it.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
