# One command for the installers; the details are in scripts/package and packaging/README.md.
.PHONY: package clean-package

package:
	scripts/package

clean-package:
	rm -rf build dist
