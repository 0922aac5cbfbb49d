// Package prompts embeds the versioned prompt templates sent to models.
package prompts
