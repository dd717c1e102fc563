"""Letters: the text catalogue and municipality profiles, composition, and PDF rendering."""
