from botops.cli import main

main()
