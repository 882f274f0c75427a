import LogTools
@main struct BraidMain { static func main() {} }
