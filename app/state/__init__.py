"""The state of a dashboard session: its filters and the data every view shows for them
(`store`, `viewdata`), the shared results cache and warm-up (`results`, `warm`), the newest-
click-wins refresh (`refresh`), following new data (`freshness`) and the layer per warehouse
(`layers`)."""
