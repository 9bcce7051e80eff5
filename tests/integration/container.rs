//! The container image and `cargo install` (issue 25), tested the only way this machine
//! allows: it can build an image with podman but cannot run a container (crun is refused
//! `setrlimit` in the sandbox). So [`image`] does by hand what a runtime does — the image's
//! layers mounted read-only (`podman image mount`), a writable layer over them, a host folder
//! bound at the declared volume, the image's environment — and runs the entrypoint under
//! `chroot` as PID 1 of its own PID namespace, on a free loopback port.
//!
//! Both tests need what `cargo test` alone does not build (an image, an installed binary),
//! so they are `#[ignore]`d; `.ci/container` builds both and runs them with `--ignored`,
//! pointing at them with `ZAMMAD_LINKS_MOCK_TEST_IMAGE` and `ZAMMAD_LINKS_MOCK_TEST_INSTALLED`.
//! Run by hand without those variables, they fail and say what to set.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::Value;
use tempfile::TempDir;

use crate::helpers::{add_body, AGENT, SEED_GET_147469};

/// How long a stop may take: `docker stop` sends SIGKILL after 10 s.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The seed's GET.
const SEED_GET: &str = "/api/v1/links?link_object=Ticket&link_object_value=147469";

fn env_path(name: &str, what: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("set {name} to {what}; `.ci/container` builds it and runs this test")
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The parts of an image's configuration a runtime acts on.
struct ImageConfig {
    entrypoint: Vec<String>,
    working_dir: String,
    env: Vec<(String, String)>,
    volumes: Vec<String>,
    /// The health check's command (`["CMD", argv…]`).
    healthcheck: Vec<String>,
    raw: Value,
}

impl ImageConfig {
    fn of(image: &str) -> Self {
        let inspected: Value =
            serde_json::from_str(&run("podman", &["image", "inspect", image])).unwrap();
        let raw = inspected[0]["Config"].clone();
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default()
        };
        let env = strings(&raw["Env"])
            .into_iter()
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let volumes = raw["Volumes"]
            .as_object()
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        // podman shows a docker-format image's health check beside its config.
        let healthcheck = match &raw["Healthcheck"] {
            Value::Null => strings(&inspected[0]["Healthcheck"]["Test"]),
            check => strings(&check["Test"]),
        };
        Self {
            entrypoint: strings(&raw["Entrypoint"]),
            working_dir: raw["WorkingDir"].as_str().unwrap_or("/").to_owned(),
            healthcheck,
            env,
            volumes,
            raw,
        }
    }

    fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A container's root file system as a runtime lays it out: the image mounted read-only, a
/// writable layer over it (overlayfs), `volume` bound at the image's volume path, and a
/// tmpfs at `/dev/shm`. Every
/// mount is undone on drop, the innermost first.
struct ContainerRoot {
    image: String,
    /// The image's layers, read-only, as `podman image mount` shows them.
    image_dir: PathBuf,
    path: PathBuf,
    mounts: Vec<PathBuf>,
    /// Upper and work folders of the writable layer; removed after the mounts are undone.
    _layer: TempDir,
}

impl ContainerRoot {
    fn new(image: &str, volume_path: &str, volume: &Path) -> Self {
        let layer = TempDir::new().unwrap();
        let image_dir = run("podman", &["image", "mount", image]);
        let mut root = Self {
            image: image.to_owned(),
            image_dir: PathBuf::from(&image_dir),
            path: layer.path().join("root"),
            mounts: Vec::new(),
            _layer: layer,
        };
        let (upper, work) = (
            root._layer.path().join("upper"),
            root._layer.path().join("work"),
        );
        for dir in [&upper, &work, &root.path] {
            std::fs::create_dir(dir).unwrap();
        }
        let options = format!(
            "lowerdir={image_dir},upperdir={},workdir={}",
            upper.display(),
            work.display()
        );
        let target = root.path.to_str().unwrap().to_owned();
        run(
            "mount",
            &["-t", "overlay", "overlay", "-o", &options, &target],
        );
        root.mounts.push(root.path.clone());
        // The runtime creates the volume's mount point; the image does not hold it.
        let at = root.path.join(volume_path.trim_start_matches('/'));
        std::fs::create_dir_all(&at).unwrap();
        run(
            "mount",
            &["--bind", volume.to_str().unwrap(), at.to_str().unwrap()],
        );
        root.mounts.push(at);
        // Docker and podman give every container a tmpfs at /dev/shm (where sled keeps an
        // --in-memory database).
        let shm = root.path.join("dev/shm");
        std::fs::create_dir_all(&shm).unwrap();
        run("mount", &["-t", "tmpfs", "tmpfs", shm.to_str().unwrap()]);
        root.mounts.push(shm);
        root
    }
}

impl Drop for ContainerRoot {
    fn drop(&mut self) {
        for mount in self.mounts.iter().rev() {
            let _ = Command::new("umount").arg(mount).status();
        }
        let _ = Command::new("podman")
            .args(["image", "unmount", &self.image])
            .stdout(Stdio::null())
            .status();
    }
}

/// The image's entrypoint running under chroot in a root of its own, PID 1 of a new PID
/// namespace, with the image's environment and `extra_env` (as `docker run -e`).
struct Container {
    /// `unshare`, which waits for the entrypoint and exits with its status.
    child: Child,
    /// The entrypoint's process id as seen from here, to signal it.
    pid: u32,
    base: String,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    _root: ContainerRoot,
}

impl Container {
    /// `docker run -e EXTRA_ENV… IMAGE ARGS…`.
    fn start(
        image: &str,
        config: &ImageConfig,
        volume: &Path,
        extra_env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        let root = ContainerRoot::new(image, &config.volumes[0], volume);
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut command = Command::new("unshare");
        // --root is chroot(2), then --wd the image's working folder, as a runtime does.
        // --kill-child: should this test die, the entrypoint dies with unshare.
        command
            .args(["--pid", "--fork", "--kill-child"])
            .arg(format!("--root={}", root.path.display()))
            .arg(format!("--wd={}", config.working_dir))
            .args(&config.entrypoint)
            .args(args)
            .env_clear()
            .envs(config.env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            // A free loopback port instead of the image's 0.0.0.0:3000: this machine's port
            // 3000 may be anyone's, and without a network namespace the bind is the host's.
            .env("ZAMMAD_MOCK_BIND", &bind)
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // `unshare` is found on this machine's PATH, not the image's.
        command.env("PATH", std::env::var("PATH").unwrap_or_default());
        let mut child = command.spawn().expect("unshare runs");
        let mut pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let pid = Self::entrypoint_pid(child.id());
        let mut container = Self {
            child,
            pid,
            base: format!("http://{bind}"),
            stderr,
            stderr_reader: Some(stderr_reader),
            _root: root,
        };
        container.wait_until_healthy();
        container
    }

    /// The one child of `unshare --fork`, which became the entrypoint.
    fn entrypoint_pid(unshare: u32) -> u32 {
        let children = format!("/proc/{unshare}/task/{unshare}/children");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = std::fs::read_to_string(&children).unwrap_or_default();
            if let Some(pid) = text.split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(Instant::now() < deadline, "unshare started no child");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn wait_until_healthy(&mut self) {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(answer) = client.get(format!("{}/__mock/health", self.base)).send() {
                if answer.status() == 200 {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the entrypoint ended ({status}): {}", self.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "no answer on {}: {}",
                self.base,
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The entrypoint's PID inside its namespace (`NSpid`'s last field).
    fn pid_inside(&self) -> u32 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let line = status.lines().find(|l| l.starts_with("NSpid:")).unwrap();
        line.split_whitespace().last().unwrap().parse().unwrap()
    }

    /// The image's health check, run as a runtime runs it: in the container, with its env.
    fn health_check(&self, config: &ImageConfig) -> ExitStatus {
        let test = &config.healthcheck;
        assert_eq!(
            test.first().map(String::as_str),
            Some("CMD"),
            "an exec-form health check, as there is no shell: {test:?}"
        );
        let argv = &test[1..];
        Command::new("chroot")
            .arg(&self._root.path)
            .args(argv)
            .env_clear()
            .envs(config.env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .env("ZAMMAD_MOCK_BIND", self.base.trim_start_matches("http://"))
            .stderr(Stdio::null())
            .status()
            .unwrap()
    }

    /// `docker stop`: SIGTERM, then up to [`STOP_GRACE`] for the exit. Returns the exit
    /// status and everything the entrypoint wrote on standard error.
    fn stop(mut self) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + STOP_GRACE;
        let exit = loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                break exit;
            }
            assert!(
                Instant::now() < deadline,
                "still running {STOP_GRACE:?} after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        self.stderr_reader.take().unwrap().join().unwrap();
        (exit, self.stderr())
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        // After `stop` this finds nothing to kill; after a failure it ends the entrypoint
        // (through --kill-child) before the mounts are undone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get_seed(client: &Client, base: &str) -> (u16, String) {
    let answer = client
        .get(format!("{base}{SEED_GET}"))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .send()
        .unwrap();
    (answer.status().as_u16(), answer.text().unwrap())
}

#[test]
#[ignore = "needs a built image: `.ci/container` builds one and sets ZAMMAD_LINKS_MOCK_TEST_IMAGE"]
fn the_image_serves_the_seed_keeps_writes_in_its_volume_and_stops_on_sigterm_as_pid_1() {
    // Arrange: the image as built, a host folder as its volume.
    let image = env_path(
        "ZAMMAD_LINKS_MOCK_TEST_IMAGE",
        "a podman image of the Dockerfile",
    );
    let config = ImageConfig::of(&image);
    assert_eq!(config.entrypoint, ["/zammad-links-mock"]);
    assert_eq!(config.volumes, ["/data"]);
    assert_eq!(config.env("ZAMMAD_MOCK_BIND"), Some("0.0.0.0:3000"));
    assert_eq!(
        config.working_dir, "/data",
        "the default database folder is in the volume"
    );
    assert!(
        config.raw["ExposedPorts"]["3000/tcp"].is_object(),
        "{}",
        config.raw
    );
    let volume = TempDir::new().unwrap();
    let client = Client::new();

    // Act 1: a first start.
    let first = Container::start(&image, &config, volume.path(), &[], &[]);
    // Assert: the image holds the binary and nothing else, which is static.
    let files: Vec<String> = std::fs::read_dir(&first._root.image_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "data")
        .collect();
    assert_eq!(
        files,
        ["zammad-links-mock"],
        "the image holds the binary and its empty working folder"
    );
    // Static: no program interpreter, no shared library. glibc's ldd calls a static PIE (what
    // `+crt-static` links, keeping address randomisation) "statically linked", and a
    // non-PIE static binary "not a dynamic executable"; either means the same here.
    let binary = first._root.path.join("zammad-links-mock");
    let ldd = Command::new("ldd").arg(&binary).output().unwrap();
    let ldd =
        String::from_utf8_lossy(&ldd.stdout).into_owned() + &String::from_utf8_lossy(&ldd.stderr);
    assert!(
        ldd.contains("statically linked") || ldd.contains("not a dynamic executable"),
        "ldd: {ldd}"
    );
    let headers = run(
        "readelf",
        &["--program-headers", "--dynamic", binary.to_str().unwrap()],
    );
    assert!(
        !headers.contains("INTERP") && !headers.contains("(NEEDED)"),
        "{headers}"
    );
    assert_eq!(first.pid_inside(), 1, "the entrypoint is PID 1");
    // Assert: the seed's GET byte for byte; the admin API off by default; a write.
    assert_eq!(
        get_seed(&client, &first.base),
        (200, SEED_GET_147469.to_owned())
    );
    let admin = client
        .get(format!("{}/__mock/fixtures", first.base))
        .send()
        .unwrap();
    assert_eq!(admin.status(), 404, "the admin API is off by default");
    let added = client
        .post(format!("{}/api/v1/links/add", first.base))
        .basic_auth(AGENT.0, Some(AGENT.1))
        .json(&add_body("normal", 147469, "34147471"))
        .send()
        .unwrap();
    assert_eq!(added.status(), 201);
    assert_eq!(
        added.json::<Value>().unwrap()["id"],
        5,
        "the seed's add gets id 5"
    );
    assert!(
        first.health_check(&config).success(),
        "the health check passes"
    );
    // Act 2: SIGTERM, as `docker stop` sends it to PID 1.
    let (exit, stderr) = first.stop();
    // Assert: a clean stop, and the start-up block said where everything is.
    assert_eq!(exit.code(), Some(0), "{stderr}");
    for line in [
        "answering as Zammad 5.0.3",
        "\n  API        http://127.0.0.1:",
        "\n  data set   built-in default",
        "\n  database   /data/zammad-links-mock.db (new: the data set was loaded into it)",
        "\n  admin API  off; set ZAMMAD_MOCK_ADMIN_TOKEN",
        "\n  log in     test@test.de / test (Basic) or token zammad-links-mock-token-user-3",
    ] {
        assert!(stderr.contains(line), "{line:?} missing from: {stderr}");
    }
    assert!(
        volume
            .path()
            .join("zammad-links-mock.db/zammad-links-mock.initialized")
            .is_file(),
        "the database is in the volume"
    );

    // Act 3: a new container on the same volume, with an admin token this time.
    let second = Container::start(
        &image,
        &config,
        volume.path(),
        &[("ZAMMAD_MOCK_ADMIN_TOKEN", "ci")],
        &[],
    );
    // Assert: the write survived in the volume, not in the container's own layer.
    let (status, body) = get_seed(&client, &second.base);
    assert_eq!(status, 200);
    let links: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(links["links"].as_array().unwrap().len(), 3, "{body}");
    let refused = client
        .get(format!("{}/__mock/fixtures", second.base))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 401, "a token is needed");
    let export = client
        .get(format!("{}/__mock/fixtures", second.base))
        .bearer_auth("ci")
        .send()
        .unwrap();
    assert_eq!(export.status(), 200, "the token opens the admin API");
    let (exit, stderr) = second.stop();
    assert_eq!(exit.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("\n  database   /data/zammad-links-mock.db (from earlier starts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Bearer <the admin token>") && !stderr.contains("Bearer ci"),
        "{stderr}"
    );

    // Act 4: options after the image name reach the binary; --in-memory is not refused for
    // clashing with the image's database setting.
    let third = Container::start(&image, &config, volume.path(), &[], &["--in-memory"]);
    // Assert: the default data set again, nothing of the volume's.
    assert_eq!(
        get_seed(&client, &third.base),
        (200, SEED_GET_147469.to_owned())
    );
    let (exit, stderr) = third.stop();
    assert_eq!(exit.code(), Some(0), "{stderr}");
    assert!(stderr.contains("\n  database   in memory"), "{stderr}");
}

#[test]
#[ignore = "needs an installed binary: `.ci/container` runs `cargo install --path .` and sets ZAMMAD_LINKS_MOCK_TEST_INSTALLED"]
fn cargo_install_gives_a_binary_that_answers_the_seed_from_any_folder() {
    // Arrange: the installed binary, run from an empty folder far from the source tree.
    let binary = env_path(
        "ZAMMAD_LINKS_MOCK_TEST_INSTALLED",
        "the binary `cargo install --path .` installed",
    );
    let elsewhere = TempDir::new().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(&binary)
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(elsewhere.path())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = Client::new();
    // Act
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        match client
            .get(format!("{base}{SEED_GET}"))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .send()
        {
            Ok(answer) => break answer,
            Err(_) if Instant::now() < deadline && child.try_wait().unwrap().is_none() => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("{binary} did not answer: {e}"),
        }
    };
    let (status, body) = (answer.status(), answer.text().unwrap());
    let _ = child.kill();
    let _ = child.wait();
    // Assert: the seed's answer, and the default database folder where it was started.
    assert_eq!((status.as_u16(), body.as_str()), (200, SEED_GET_147469));
    assert!(elsewhere.path().join("zammad-links-mock.db").is_dir());
}

/// The built binary (not the image) started with `args` and `env` on a free loopback port,
/// standard error piped; waits until it answers.
fn start_binary(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/__mock/health")).send().is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the binary ended");
        assert!(Instant::now() < deadline, "no answer on {base}");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, base)
}

/// SIGTERM, then everything the binary wrote on standard error.
fn stop_binary(child: Child) -> String {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stderr).unwrap()
}

#[test]
fn the_binary_says_where_everything_is_once_on_standard_error() {
    // Arrange
    let (child, base) = start_binary(&["--in-memory", "--zammad-version", "7.0"], &[]);
    // Act
    let stderr = stop_binary(child);
    // Assert: one block, even with RUST_LOG=warn, and nothing of it repeated.
    let expected = format!(
        "zammad-links-mock {}, answering as Zammad 7.0.1\n  \
         API        {base}/api/v1/\n  \
         page       {base}/__mock/ui?ticket=147469\n  \
         data set   built-in default (tickets 147469, 147470, 147471)\n  \
         database   in memory (gone when the mock stops)\n  \
         admin API  {base}/__mock/, open (no token)\n  \
         log in     test@test.de / test (Basic) or token zammad-links-mock-token-user-3\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(stderr.matches("answering as Zammad").count(), 1, "{stderr}");
}

#[test]
fn health_exits_0_for_a_running_mock_and_1_when_none_answers() {
    // Arrange
    let (child, base) = start_binary(&["--in-memory"], &[]);
    let health = |bind: &str| {
        Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
            .args(["health", "--bind", bind])
            .output()
            .unwrap()
    };
    let bind = base.trim_start_matches("http://").to_owned();
    // Act
    let healthy = health(&bind);
    stop_binary(child);
    let gone = health(&bind);
    // Assert: silent when healthy; 1 (Docker's "unhealthy"), not 2, with one line when not.
    assert_eq!(healthy.status.code(), Some(0));
    assert!(healthy.stderr.is_empty() && healthy.stdout.is_empty());
    assert_eq!(gone.status.code(), Some(1));
    let said = String::from_utf8(gone.stderr).unwrap();
    assert!(
        said.starts_with(&format!(
            "zammad-links-mock health: nothing answers on {bind}"
        )),
        "{said}"
    );
}

#[test]
fn admin_off_by_default_gives_way_to_a_token_or_to_admin_open() {
    let off = [("ZAMMAD_MOCK_ADMIN_OFF_BY_DEFAULT", "true")];
    let client = Client::new();
    let export = |base: &str, token: Option<&str>| {
        let request = client.get(format!("{base}/__mock/fixtures"));
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        request.send().unwrap().status().as_u16()
    };
    for (args, extra, expected) in [
        (vec![], None, (404, 404)),
        (vec!["--admin-token", "t"], None, (401, 200)),
        (vec![], Some(("ZAMMAD_MOCK_ADMIN_TOKEN", "t")), (401, 200)),
        (vec!["--admin-open"], None, (200, 200)),
    ] {
        // Arrange
        let mut env = off.to_vec();
        env.extend(extra);
        let mut args = args;
        args.push("--in-memory");
        let (child, base) = start_binary(&args, &env);
        // Act
        let answers = (export(&base, None), export(&base, Some("t")));
        stop_binary(child);
        // Assert
        assert_eq!(answers, expected, "{args:?} {extra:?}");
    }
}
