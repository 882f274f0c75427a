@main struct Fixture { static func main() {} }
