#include "apps/cli.h"

int main(int argc, char** argv) { return comodal::apps::RunCli(argc, argv); }
