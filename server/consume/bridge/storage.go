package bridge

// Storage implements resolvers.StorageReporter: the data folder's file
// system.
func (c Consumer) Storage() (total, available uint64, err error) { return c.Svc.Storage() }
