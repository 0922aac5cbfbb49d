package llm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"429", &StatusError{Status: 429, Err: errors.New("x")}, true},
		{"503", &StatusError{Status: 503, Err: errors.New("x")}, true},
		{"400", &StatusError{Status: 400, Err: errors.New("x")}, false},
		{"401", &StatusError{Status: 401, Err: errors.New("x")}, false},
		{"timeout", &StatusError{Err: context.DeadlineExceeded}, true},
		{"network", &StatusError{Err: ErrTransport}, true},
		{"refusal", ErrRefused, false},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("%s: retryable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestExtractJSON(t *testing.T) {
	tests := map[string]string{
		"{\"a\":1}":                        "{\"a\":1}",
		"```json\n{\"a\":1}\n```":          "{\"a\":1}",
		"Here is the card: {\"a\":{}} Bye": "{\"a\":{}}",
		"no json":                          "no json",
	}
	for in, want := range tests {
		if got := extractJSON(in); got != want {
			t.Errorf("extractJSON(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzExtractJSON(f *testing.F) {
	f.Add("```json\n{\"a\":1}\n```")
	f.Add("}{")
	f.Fuzz(func(t *testing.T, s string) {
		got := extractJSON(s)
		if len(got) > len(s) {
			t.Fatalf("extractJSON grew its input")
		}
	})
}

// TestNoteClientKeepsKeysOnTheirHost plays a model server that redirects
// to another host: the keys do not follow, whatever header carries them;
// a redirect on the same host keeps them.
func TestNoteClientKeepsKeysOnTheirHost(t *testing.T) {
	keys := []string{"Authorization", "Api-Key", "X-Api-Key", "X-Goog-Api-Key"}
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusTemporaryRedirect)
		case "/here":
			http.Redirect(w, r, "/landed", http.StatusTemporaryRedirect)
		default:
			got = r.Header.Clone()
		}
	}))
	defer api.Close()
	for _, tt := range []struct {
		path     string
		wantKeys bool
	}{{"/away", false}, {"/here", true}} {
		got = nil
		req, err := http.NewRequest(http.MethodPost, api.URL+tt.path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			req.Header.Set(k, "secret-"+k)
		}
		resp, err := NoteClient(http.DefaultClient).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got == nil {
			t.Fatalf("%s: the redirect was not followed", tt.path)
		}
		for _, k := range keys {
			if has := got.Get(k) != ""; has != tt.wantKeys {
				t.Errorf("%s: header %s sent = %v, want %v", tt.path, k, has, tt.wantKeys)
			}
		}
	}
}

// TestNoteClientCapsTheAnswer plays a server that never stops answering:
// the read fails at the cap instead of filling the memory.
func TestNoteClientCapsTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range MaxResponseBytes>>20 + 8 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	resp, err := NoteClient(http.DefaultClient).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if !errors.Is(err, ErrResponseTooLarge) || n != MaxResponseBytes {
		t.Errorf("read %d bytes, err %v; want %d bytes then ErrResponseTooLarge", n, err, MaxResponseBytes)
	}
}
