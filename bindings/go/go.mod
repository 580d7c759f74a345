module containerpolicy

go 1.21
