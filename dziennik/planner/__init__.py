"""The calendar (Terminarz): tests, quizzes, trips, school events, and homework."""
