package trends

import (
	"context"
	"fmt"
	"time"
)

// Cluster the rows of a small collection, then rank the clusters of the
// last 90 days carried by at least two sources.
func ExampleReport() {
	ctx := context.Background()
	st := &memStore{rows: sampleRows()} // any Store: the SQLite store in the program
	if _, err := Update(ctx, st, Options{}); err != nil {
		fmt.Println(err)
		return
	}
	rep, err := Report(ctx, st, LexicalSpace, Query{Since: now.AddDate(0, 0, -90), Until: now,
		Window: 7 * 24 * time.Hour, MinSources: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range rep.Trends {
		fmt.Printf("%s: %d sources, growth %+d\n", t.Label, t.Sources, t.Growth)
	}
	// Output:
	// Heat pumps replace boilers: 3 sources, growth +2
	// Leaf blower bans: 2 sources, growth +0
}
