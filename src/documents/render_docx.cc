// The DOCX renderer (see render.h): pandoc converts an HTML rendering whose
// charts are PNG files. Pandoc is Debian's standard document converter; its
// DOCX writer produces the styles, numbering, relationships and content
// types that Word and LibreOffice expect, with real headings (Heading 1/2),
// tables and embedded images, which writing OOXML by hand would have to
// reproduce and keep right (docs/documents.md, "Why pandoc").
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "documents/render.h"

extern char** environ;

namespace rmis::documents {
namespace {

namespace fs = std::filesystem;

// A private temporary folder, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "rmis-docx-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Status WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) return Fail(ErrorCode::kIo, "cannot write " + path.string());
  return {};
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Result<std::string> RenderDocx(const Document& document, const std::string& pandoc) {
  auto html = RenderHtml(document, HtmlImages::kPngFiles);
  if (!html) return tl::unexpected(html.error());
  // The page title would become a second title paragraph; the document's
  // own <h1> is the title.
  std::string& page = html->html;
  size_t title = page.find("<title>");
  size_t title_end = page.find("</title>");
  if (title != std::string::npos && title_end != std::string::npos) {
    page.erase(title, title_end + 8 - title);
  }
  if (document.direction == Direction::kRightToLeft) {
    // Pandoc carries dir="rtl" on a div into the paragraphs' bidi setting.
    size_t body = page.find("<body>");
    size_t body_end = page.rfind("</body>");
    page.insert(body_end, "</div>\n");
    page.insert(body + 6, "\n<div dir=\"rtl\">");
  }
  ScratchDir scratch;
  if (scratch.path().empty()) return Fail(ErrorCode::kIo, "cannot create a temporary folder for pandoc");
  fs::path input = scratch.path() / "document.html";
  fs::path output = scratch.path() / "document.docx";
  fs::path errors = scratch.path() / "pandoc.err";
  if (auto status = WriteBytes(input, page); !status) return tl::unexpected(status.error());
  for (const auto& [name, png] : html->images) {
    if (auto status = WriteBytes(scratch.path() / name, png); !status) return tl::unexpected(status.error());
  }
  std::vector<std::string> args = {pandoc,
                                   "--from=html",
                                   "--to=docx",
                                   "--resource-path=" + scratch.path().string(),
                                   "--metadata=lang:" + document.language,
                                   "--output=" + output.string(),
                                   input.string()};
  if (document.direction == Direction::kRightToLeft) args.push_back("--metadata=dir:rtl");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, pandoc.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return Fail(ErrorCode::kIo, "cannot run " + pandoc + " (" + std::strerror(spawned) +
                                    "); DOCX needs pandoc: apt-get install pandoc");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(ErrorCode::kIo, "waiting for pandoc failed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(ErrorCode::kIo, "pandoc failed: " + ReadBytes(errors));
  }
  std::string docx = ReadBytes(output);
  if (docx.empty()) return Fail(ErrorCode::kIo, "pandoc wrote no DOCX");
  return docx;
}

}  // namespace rmis::documents
