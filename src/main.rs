fn main() {
    std::process::exit(cors_lint::cli::main());
}
