"""What the citizen may see about their own data (GDPR art. 15): "Hvem har set og gjort hvad"
(the log of what helpers and FSC staff did or saw) and the download of all their data."""
