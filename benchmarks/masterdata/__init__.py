"""The golden-record benchmark: a labelled data set, match quality and time to match one record."""
