// SPDX-License-Identifier: MIT
#include "core/model/file_util.h"

#include "core/log/log.h"
#include "core/model/errors.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace dpg::model {

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FormatError(path, -1, std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0);
  std::string bytes(size_t(size), '\0');
  if (!in.read(bytes.data(), size)) throw FormatError(path, -1, "read failed");
  return bytes;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw FormatError(path, -1, std::string("cannot write: ") + std::strerror(errno));
  // A failed write (a full disk) leaves no temporary file behind to hold the space.
  auto give_up = [&](const std::string& what, int64_t at, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw FormatError(path, at, what + std::strerror(err));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      give_up("write failed: ", int64_t(done), errno);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) give_up("fsync failed: ", -1, errno);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) give_up("close failed: ", -1, errno);
  log::stage("file " + tmp + " written, not yet renamed", /*window=*/true);
  if (::rename(tmp.c_str(), path.c_str()) != 0) give_up("rename failed: ", -1, errno);
  auto dir = std::filesystem::path(path).parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace dpg::model
