fn main() {
    std::process::exit(seccheck::cli::run());
}
