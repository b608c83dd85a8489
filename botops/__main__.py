from botops.cli.commands import main

main()
