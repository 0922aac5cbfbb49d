package offline

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestCardGolden pins the whole card of two fixture pages, one English, one
// French, so that a change of method shows in review as a diff of
// testdata/*.golden.json. Run with -update to accept a change.
func TestCardGolden(t *testing.T) {
	tests := []struct {
		file string
		page Page
	}{
		{"heat-pumps.en.txt", Page{URL: "https://example.org/2025/01/12/heat-pumps", Title: "Heat pumps are taking over | Example News", Lang: "en"}},
		{"ia-fonction-publique.fr.txt", Page{URL: "https://www.linkedin.com/posts/someone_ia-activity-1", Title: "L'IA générative dans la fonction publique | LinkedIn", Lang: "fr"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tc.page.Text = string(text)
			got, err := json.MarshalIndent(Card(tc.page), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.file+".golden.json")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if string(append(got, '\n')) != string(want) {
				t.Errorf("card of %s differs from %s (run with -update to accept):\n%s", tc.file, golden, got)
			}
		})
	}
}
