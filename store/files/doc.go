// Package files is Quire's document storage on disk: the folder layout
// under the media folder (originals, archive versions, thumbnails),
// crash-safe writes (a temporary name in the target folder, fsync, rename,
// fsync of the folder), placing and moving stored files, and the
// PAPERLESS_FILENAME_FORMAT file names.
//
// No file is ever half-written under its final name, and no path built
// here leaves the folder it is meant for. It imports store (for Slugify)
// and nothing above it.
package files
