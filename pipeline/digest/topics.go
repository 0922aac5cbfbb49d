package digest

import "github.com/veille/veille/schema"

// Topics turns the clusters of a trends report (see package
// github.com/veille/veille/pipeline/trends) into the digest's topics, in
// the report's order: each cluster's label, and its rows with their cards.
func Topics(trends []schema.Trend) []Topic {
	topics := make([]Topic, 0, len(trends))
	for _, t := range trends {
		cards := make(map[string]schema.TrendCard, len(t.Cards))
		for _, c := range t.Cards {
			cards[c.ID] = c
		}
		topic := Topic{Label: t.Label}
		for _, r := range t.Rows {
			c := cards[r.Card]
			relevancy := -1
			if r.Relevancy != nil {
				relevancy = *r.Relevancy
			}
			topic.Rows = append(topic.Rows, Row{CardID: r.Card, URL: c.URL, Title: c.Title, Host: c.Host,
				Published: c.Published, Table: r.Section, Name: r.Name, Description: r.Description, Relevancy: relevancy})
		}
		topics = append(topics, topic)
	}
	return topics
}
