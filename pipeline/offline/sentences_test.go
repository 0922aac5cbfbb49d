package offline

import (
	"reflect"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"simple", "One. Two! Three? Four…", []string{"One.", "Two!", "Three?", "Four…"}},
		{"lines", "Headline\nBody one. Body two.", []string{"Headline", "Body one.", "Body two."}},
		{"english abbreviations", "Dr. Smith met Mr. Jones at 5 p.m. on Friday. They talked.",
			[]string{"Dr. Smith met Mr. Jones at 5 p.m. on Friday.", "They talked."}},
		{"e.g.", "Some tools, e.g. Python, help. Others do not.", []string{"Some tools, e.g. Python, help.", "Others do not."}},
		{"initials", "J. K. Rowling wrote it. It sold well.", []string{"J. K. Rowling wrote it.", "It sold well."}},
		{"french abbreviations", "M. Dupont et Mme Durand sont là. Ils parlent de l'IA.",
			[]string{"M. Dupont et Mme Durand sont là.", "Ils parlent de l'IA."}},
		{"quotes", `He said "it works." Then he left.`, []string{`He said "it works."`, "Then he left."}},
		{"french quotes", "Il a dit « ça marche ». Puis il est parti.", []string{"Il a dit « ça marche ».", "Puis il est parti."}},
		{"footnote", "By Peter Watts.[1] It is a sidequel.", []string{"By Peter Watts.[1]", "It is a sidequel."}},
		{"lower case after stop", "Version 2.0 is out. see the notes.", []string{"Version 2.0 is out. see the notes."}},
		{"decimal", "It rose 3.5 percent. Then fell.", []string{"It rose 3.5 percent.", "Then fell."}},
		{"accented capital", "C'est fini. À demain. Évidemment.", []string{"C'est fini.", "À demain.", "Évidemment."}},
		{"empty", " \n \n", nil},
		{"uncased script", "Это первое. Это второе.", []string{"Это первое.", "Это второе."}},
		{"arabic", "هذه جملة. وهذه أخرى.", []string{"هذه جملة.", "وهذه أخرى."}},
		{"chinese", "人工智能正在改变世界。越来越多的公司使用它！", []string{"人工智能正在改变世界。", "越来越多的公司使用它！"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sentences(tc.text); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Sentences(%q) =\n%q\nwant\n%q", tc.text, got, tc.want)
			}
		})
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"One. Two.", "Dr. A. B. c.", "«Oui.» Non!", "x.[1] Y", "a.1 B", "\xff. \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Sentences(text) {
			if s == "" || s != strings.TrimSpace(s) {
				t.Fatalf("sentence %q is empty or untrimmed", s)
			}
			if !strings.Contains(text, s) {
				t.Fatalf("sentence %q is not verbatim in %q", s, text)
			}
		}
	})
}
