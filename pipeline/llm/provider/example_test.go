package provider_test

import (
	"context"
	"fmt"

	"github.com/veille/veille/pipeline/llm/provider"
)

// ExampleSelect chooses the model as `extract run` does. With no key in
// the environment and no Ollama server (here a closed port), it falls back
// to the offline baseline and says so in a notice.
func ExampleSelect() {
	env := map[string]string{provider.EnvOllamaHost: "http://127.0.0.1:1"}
	m, notice, err := provider.Select(context.Background(), provider.Config{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Provider(), m.Model())
	fmt.Println(notice != "")
	// Output:
	// offline baseline
	// true
}
