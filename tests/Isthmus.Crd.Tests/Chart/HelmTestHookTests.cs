using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// The <c>helm test</c> hook: a Pod, its ServiceAccount and RBAC, all hooks of the test phase, running kubectl from
/// <c>tests.image</c>; the commands it runs are accepted by the real kubectl 1.32 (which then only lacks a server).
/// </summary>
public sealed class HelmTestHookTests
{
    private static JsonObject TestPod(params string[] sets) => Helm.Template([Helm.CipherNextHopMac, .. sets]).Single("Pod", "isthmus-test");

    [Fact]
    public void The_test_objects_are_hooks_of_the_test_phase_and_the_pod_runs_after_its_rbac()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac);
        var hooks = rendered.Objects.Where(o => o["metadata"]!["annotations"]?["helm.sh/hook"] is not null).ToList();

        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "Pod", "Role", "RoleBinding", "ServiceAccount"], hooks.Select(o => o["kind"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(hooks, h => Assert.Equal("test", h["metadata"]!["annotations"]!["helm.sh/hook"]!.GetValue<string>()));
        Assert.All(hooks, h => Assert.Equal("test", h["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>()));
        int Weight(JsonObject o) => int.Parse(o["metadata"]!["annotations"]!["helm.sh/hook-weight"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var pod = rendered.Single("Pod");
        Assert.All(hooks.Where(h => h != pod), h => Assert.True(Weight(h) < Weight(pod)));
        Assert.Equal("isthmus-test", pod["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Equal("Never", pod["spec"]!["restartPolicy"]!.GetValue<string>());
    }

    [Fact]
    public void The_pod_runs_the_pinned_kubectl_image_or_the_one_the_values_name()
    {
        Assert.All(TestPod()["spec"]!["containers"]!.AsArray(), c => Assert.Equal("registry.k8s.io/kubectl:v1.32.3", c!["image"]!.GetValue<string>()));
        Assert.All(TestPod("tests.image.repository=mirror.example/k8s/kubectl", "tests.image.tag=v1.32.9")["spec"]!["containers"]!.AsArray(),
            c => Assert.Equal("mirror.example/k8s/kubectl:v1.32.9", c!["image"]!.GetValue<string>()));
    }

    [Fact]
    public void The_pod_waits_for_both_crds_established_and_the_operator_available()
    {
        var containers = TestPod()["spec"]!["containers"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var args = containers.Select(c => string.Join(' ', c["args"]!.AsArray().Select(a => a!.GetValue<string>()))).ToList();

        Assert.All(containers, c => Assert.Equal(["kubectl"], c["command"]!.AsArray().Select(a => a!.GetValue<string>())));
        Assert.Contains("wait --for=condition=Established --timeout=60s customresourcedefinition/ipsectunnels.ipsec.isthmus.dev customresourcedefinition/trafficselectors.ipsec.isthmus.dev", args);
        Assert.Contains($"wait --for=condition=Available --timeout=120s --namespace={Helm.Namespace} deployment/isthmus-operator", args);
    }

    [Fact]
    public void The_pod_meets_the_restricted_pod_security_level()
    {
        var spec = TestPod()["spec"]!;

        Assert.True(spec["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("RuntimeDefault", spec["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>());
        Assert.All(spec["containers"]!.AsArray(), c =>
        {
            Assert.False(c!["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
            Assert.Equal(["ALL"], c["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(d => d!.GetValue<string>()));
        });
    }

    [Fact]
    public void Kubectl_accepts_the_commands_and_stops_only_for_want_of_a_server()
    {
        var kubectl = KubernetesTools.Kubectl;
        foreach (var container in TestPod()["spec"]!["containers"]!.AsArray())
        {
            var args = container!["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            var (exit, error) = RunKubectl(kubectl, args);

            Assert.NotEqual(0, exit);
            Assert.Contains("connection refused", error, StringComparison.Ordinal);
            Assert.DoesNotContain("unknown flag", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Usage:", error, StringComparison.Ordinal);
        }

        // The check can tell: a command kubectl does not accept fails before it looks for a server.
        var (_, refused) = RunKubectl(kubectl, ["wait", "--for-condition=Available", "deployment/x"]);
        Assert.Contains("unknown flag", refused, StringComparison.Ordinal);
    }

    private static (int Exit, string Error) RunKubectl(string kubectl, IEnumerable<string> args)
    {
        // A server nobody listens on, and a token so that kubectl does not ask for a user name.
        var start = new ProcessStartInfo(kubectl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args.Concat(["--server=https://127.0.0.1:1", "--token=unused", "--request-timeout=5s"]))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["KUBECONFIG"] = Path.Combine(AppContext.BaseDirectory, "no-kubeconfig");
        start.Environment["HOME"] = Path.Combine(AppContext.BaseDirectory, "kubectl-home");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"kubectl {string.Join(' ', args)} did not finish within 60 s");
        }
        return (process.ExitCode, error.Result);
    }
}
