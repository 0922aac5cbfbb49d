package trendstest

import (
	"cmp"
	"slices"

	"github.com/veille/veille/schema"
)

// SelectRows returns the rows f selects, as a store's ClusteredRows does,
// for in-memory stores in tests. rows carry their card's fields.
func SelectRows(rows []schema.TrendRow, f schema.RowFilter) []schema.TrendRow {
	var out []schema.TrendRow
	for _, r := range rows {
		if !f.Since.IsZero() && r.Published.Before(f.Since) || !f.Until.IsZero() && !r.Published.Before(f.Until) ||
			f.Section != "" && r.Section != f.Section || f.Clusters != nil && !slices.Contains(f.Clusters, r.Cluster) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// TopClusters ranks the clusters of the rows q selects as a store's
// TopClusters does, for in-memory stores in tests: it returns the first
// q.Limit (all when 0) and how many clusters have q.MinSources hosts.
func TopClusters(rows []schema.TrendRow, q schema.ClusterQuery) ([]schema.ClusterStat, int) {
	type acc struct {
		schema.ClusterStat
		hosts            map[string]bool
		relevancy, rated int
	}
	by := map[int64]*acc{}
	for _, r := range SelectRows(rows, q.RowFilter) {
		a := by[r.Cluster]
		if a == nil {
			a = &acc{ClusterStat: schema.ClusterStat{Cluster: r.Cluster}, hosts: map[string]bool{}}
			by[r.Cluster] = a
		}
		a.hosts[r.Host] = true
		a.Rows++
		switch {
		case !r.Published.Before(q.Recent):
			a.Recent++
		case !r.Published.Before(q.Previous):
			a.Previous++
		}
		if r.Relevancy != nil {
			a.relevancy += *r.Relevancy
			a.rated++
		}
	}
	var out []schema.ClusterStat
	for _, a := range by {
		a.Sources = len(a.hosts)
		if a.rated > 0 {
			a.Relevancy = float64(a.relevancy) / float64(a.rated)
		}
		if a.Sources >= q.MinSources {
			out = append(out, a.ClusterStat)
		}
	}
	slices.SortFunc(out, func(a, b schema.ClusterStat) int {
		return cmp.Or(-cmp.Compare(a.Sources, b.Sources), -cmp.Compare(a.Recent-a.Previous, b.Recent-b.Previous),
			-cmp.Compare(a.Relevancy, b.Relevancy), -cmp.Compare(a.Rows, b.Rows), cmp.Compare(a.Cluster, b.Cluster))
	})
	total := len(out)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, total
}
