fn main() {
    std::process::exit(kubectl_irsa::cli::main());
}
