module polybench/clients/go

go 1.22
