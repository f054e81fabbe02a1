"""Reading captures from disk: paths, compression, bytes to text."""
