"""Conference site: speakers submit talks, reviewers accept them."""
