package cardindex

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/veille/veille/schema"
)

// unmarshalTables is what DecodeTables must give: the tables as
// encoding/json reads them.
func unmarshalTables(s string) []schema.TrendRow {
	var t Tables
	_ = json.Unmarshal([]byte(s), &t)
	return t.TrendRows(1)
}

// tableSamples are card JSON texts, as the stores write them and not.
var tableSamples = []string{
	`{"url":"https://a.example/x","title":"T \"quoted\" é","keywords":["a","b"],"summary":"S\n\u00e9",` +
		`"signals":[{"name":"Heat pumps","description":"Sales \"double\"\u2028","change":"x","10-year":"y","relevancy":4},` +
		`{"name":"Caf\u00e9","description":"","relevancy":null}],"concerns":[{"name":"N","description":"D"}],` +
		`"behaviors":null,"technologies":[],"issues":[null,{"name":"I","extra":{"a":[1,2.5e-3,true,false,null]}}]}`,
	`{}`, ` { "signals" : [ { "name" : "a" , "relevancy" : -0 } ] } `,
	`{"Signals":[{"name":"folded key"}]}`, `{"signals":[{"Name":"folded row key"}]}`,
	`{"signals":[{"name":"a"}],"signals":[{"name":"b"}]}`, `{"signals":[{"name":"a","name":"b"}]}`,
	`{"signals":[{"name":5}]}`, `{"signals":{"name":"a"}}`, `{"signals":[1]}`, `{"signals":[{"relevancy":2.5}]}`,
	`{"signals":[{"relevancy":1e2}]}`, `{"signals":[{"relevancy":12345678901}]}`, `{"signals":[{"relevancy":"3"}]}`,
	`{"signals":[{"name":"a"}]} x`, `{"signals":[{"name":"a"}]`, `[]`, ``, `null`, "{\"signals\":[{\"name\":\"\xff\"}]}",
	`{"sign\u0061ls":[{"name":"escaped key"}]}`, `{"signals":[{"name":"a"},]}`, `{"a":01,"signals":[{"name":"a"}]}`,
	`{"a":"\x","signals":[{"name":"a"}]}`, `{"a":-,"signals":[]}`, `{"a":[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]}`,
}

func TestDecodeTables(t *testing.T) {
	for _, s := range tableSamples {
		if got, want := DecodeTables(s).TrendRows(1), unmarshalTables(s); !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeTables(%q) = %+v, want %+v", s, got, want)
		}
	}
	// A card as the stores write it is read without encoding/json.
	four := 4
	card := schema.Card{URL: "https://a.example/x", Answer: schema.Answer{Title: "T", Summary: "S \"q\" \u00e9\n",
		Signals: []schema.Signal{{Name: "Heat \"pumps\"", Description: "Sales <double> & more", Relevancy: &four}},
		Issues:  []schema.Row{{Name: "I"}}}}
	js, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := readTables(string(js)); !ok {
		t.Errorf("readTables(%s) left it to encoding/json", js)
	}
	if got, want := DecodeTables(string(js)).TrendRows(1), unmarshalTables(string(js)); !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeTables(%s) = %+v, want %+v", js, got, want)
	}
}

func FuzzDecodeTables(f *testing.F) {
	for _, s := range tableSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := DecodeTables(s).TrendRows(1), unmarshalTables(s); !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeTables(%q) = %+v, want %+v", s, got, want)
		}
	})
}
