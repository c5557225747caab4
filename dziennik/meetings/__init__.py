"""Parent–teacher meetings (wywiadówki) and consultation slots parents book."""
