import Foundation
import Mustache

/// The pages' templates (Mustache, escaped by default) and their one stylesheet, compiled in: a
/// node serves them from its own binary, nothing from anywhere else.
enum Templates {
    /// The templates compiled, in Chinese and in English (the console's only: the member's page
    /// is Chinese), with the Chinese runs the English ones found no phrase for (a test holds it empty).
    static let compiled: (libraries: [Language: MustacheLibrary], untranslated: [String]) = {
        var chinese = MustacheLibrary(), english = MustacheLibrary(), missing: [String] = []
        func register(_ text: String, _ name: String, in library: inout MustacheLibrary) {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name) does not parse: \(error)") }
        }
        for (name, text) in sources {
            register(text, name, in: &chinese)
            if !name.hasPrefix("member-") { register(English.translate(text, missing: &missing), name, in: &english) }
        }
        return ([.chinese: chinese, .english: english], missing)
    }()

    /// A page in `language`; the layout's language, and the switch to the other (which comes back
    /// to the console page `values["back"]` names, the console's home if none), come with it.
    static func render(_ name: String, _ values: [String: Any], in language: Language) -> String {
        var values = values
        values["lang"] = language.rawValue
        let back = (values["back"] as? String ?? "/console").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._~"))) ?? "/console"
        values["otherLanguage"] = language.other.language.rawValue; values["otherLanguageName"] = language.other.name
        values["languageLink"] = "/console/language?to=\(language.other.language.rawValue)&back=\(back)"
        guard let html = compiled.libraries[language]?.render(values, withTemplate: name) else { preconditionFailure("no template \(name) in \(language)") }
        return html
    }

    static let sources: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="{{lang}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · MMS</title>{{$head}}{{/head}}
            <link rel="stylesheet" href="/assets/mms.css">
            </head>
            <body>
            <header class="bar"><span class="brand">MMS 会员营销</span>{{$nav}}{{/nav}}</header>
            <main>
            {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
            {{$content}}{{/content}}
            </main>
            </body>
            </html>
            """,
        "message": """
            {{<layout}}
            {{$content}}<p><a href="/console">管理后台</a> · <a href="/m">我的会员卡</a></p>{{/content}}
            {{/layout}}
            """,
        "console-login": """
            {{<layout}}
            {{$content}}
            <h1>{{node}} 管理后台</h1>
            <form method="post" action="/console/login" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>工号 <input name="operator" autocomplete="username" required maxlength="64"></label>
            <label>密码 <input name="password" type="password" autocomplete="current-password" required maxlength="128"></label>
            <button type="submit">登录</button>
            </form>
            <p><a href="{{languageLink}}" lang="{{otherLanguage}}" id="language">{{otherLanguageName}}</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-home": """
            {{<layout}}
            {{$head}}{{#glance}}<meta http-equiv="refresh" content="30">{{/glance}}{{/head}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>{{scope}} · 今日 {{today}}</h1>

            <table class="figures">
            <thead><tr><th>门店</th><th>笔数</th><th>净销售</th><th>充值额</th><th>会员</th><th>储值余额</th></tr></thead>
            <tbody>
            {{#branches}}<tr><td>{{branch}}</td><td>{{sales}}</td><td>¥{{net}}</td><td>¥{{topups}}</td><td>{{members}}</td><td>¥{{owed}}</td></tr>{{/branches}}
            {{^branches}}<tr><td colspan="6">今日暂无数据</td></tr>{{/branches}}
            </tbody>
            </table>
            <p class="note">预付负债 ¥{{liability}}（储值本金与赠送，按会员所属门店合计；明细见报表）· 数据截至 {{asOf}}</p>
            {{#glance}}
            <h2>全链概览</h2>
            <table class="figures" id="chain"><thead><tr><th>节点</th><th>类型</th><th>连接</th><th>待同步</th><th>操作数</th><th>最近操作</th><th>可用储值额度</th></tr></thead>
            <tbody>{{#nodes}}<tr{{#down}} class="down"{{/down}}><td>{{id}}</td><td>{{role}}</td><td>{{link}}</td><td>{{lag}}</td><td>{{ops}}</td><td>{{lastHeard}}</td><td>¥{{escrow}}</td></tr>{{/nodes}}</tbody></table>
            <p class="note">本页每 30 秒刷新。</p>
            {{/glance}}
            <h2>查找会员</h2>
            <form method="post" action="/console/members" class="card inline" id="search">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>卡号或手机号 <input name="q" required maxlength="64" inputmode="numeric"></label>
            <button type="submit">查找</button>
            </form>
            {{/content}}
            {{/layout}}
            """,
        "console-members": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>会员</h1>
            {{#members}}
            <section class="card member">
            <h2><a href="/console/members/{{id}}">{{name}}</a> <small>{{tier}}</small></h2>
            <p>手机 {{phone}} · 会员号 {{id}} · 所属 {{home}}</p>
            <p>储值 ¥{{balance}} · 赠送 ¥{{bonus}} · 积分 {{points}}</p>
            </section>
            {{/members}}
            {{^members}}<p>没有找到会员。</p>{{/members}}
            <p><a href="/console">返回</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-member": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>{{name}} <small>{{tier}}</small></h1>
            <section class="card">
            <p>会员号 {{member}} · 手机 {{phone}}</p>
            <p>储值本金 ¥<span id="balance">{{balance}}</span> · 赠送 ¥{{bonus}} · 积分 {{points}} · 累计消费 ¥{{spent}} · 累计充值 ¥{{toppedUp}}</p>
            <p class="note">储值额度所在：{{#rights}}{{node}} ¥{{amount}} {{/rights}}</p>
            </section>
            {{#done}}<p class="saved" role="status">已完成：{{done}}</p>{{/done}}
            <section class="card" id="photo">
            {{#photo}}<img src="/console/members/{{member}}/photo" alt="会员照片" class="photo">{{/photo}}
            {{#photoComing}}<p class="note">照片由总部或所属门店保存，正在获取，请稍后刷新。</p>{{/photoComing}}
            {{^photo}}{{^photoComing}}<p class="note">尚未拍照。</p>{{/photoComing}}{{/photo}}
            <form method="post" action="/console/members/{{member}}/photo" enctype="multipart/form-data" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>拍照或选择照片（JPEG/PNG；较大的照片会先缩小） <input type="file" name="photo" accept="image/jpeg,image/png" capture="user" required></label>
            <button type="submit">保存照片</button>
            </form>
            <script src="/assets/photo.js" defer></script>
            </section>
            {{#hasFields}}<form method="post" action="/console/members/{{member}}/fields" class="card" id="fields">
            <input type="hidden" name="csrf" value="{{csrf}}">
            {{#fields}}<label>{{name}} <input name="f{{index}}" value="{{value}}" maxlength="100" autocomplete="off"></label>{{/fields}}
            <button type="submit">保存资料</button>
            </form>{{/hasFields}}
            <h2>会员卡</h2>
            <table class="figures" id="cards"><thead><tr><th>卡号</th><th>类型</th><th>状态</th><th>密码错误</th></tr></thead>
            <tbody>{{#cards}}<tr><td>{{number}}</td><td>{{type}}</td><td>{{status}}</td><td>{{pinFailures}}</td></tr>{{/cards}}</tbody></table>
            <form method="post" action="/console/cards" class="card" id="card-action">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="member" value="{{member}}">
            <label>卡号 <select name="card">{{#cards}}<option value="{{number}}">{{number}}</option>{{/cards}}</select></label>
            <label>操作 <select name="action">{{#actions}}<option value="{{id}}">{{name}}</option>{{/actions}}</select></label>
            <label>新卡号（补卡） <input name="newCard" maxlength="64" inputmode="numeric" autocomplete="off"></label>
            <label>转入卡号（转账） <input name="to" maxlength="64" inputmode="numeric" autocomplete="off"></label>
            <label>金额（转账） <input name="amount" maxlength="12" inputmode="decimal" autocomplete="off"></label>
            <button type="submit">下一步</button>
            </form>
            <h2>优惠券</h2>
            {{#coupons}}<p class="card">{{code}} {{title}} ¥{{value}} {{#left}}可用{{/left}}{{^left}}已用{{/left}}</p>{{/coupons}}
            {{^coupons}}<p>暂无优惠券</p>{{/coupons}}
            <h2>历史记录</h2>
            <table class="figures"><thead><tr><th>时间</th><th>业务</th><th>卡号</th><th>金额</th><th>积分</th></tr></thead>
            <tbody>{{#history}}<tr><td>{{at}}</td><td>{{kind}}</td><td>{{card}}</td><td>{{amount}}</td><td>{{points}}</td></tr>{{/history}}</tbody></table>
            <p><a href="/console">返回</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-stock": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>库存 · {{branch}}</h1>
            <div class="scroll"><table class="figures" id="stock"><thead><tr><th>商品编码</th><th>名称</th><th>在库</th><th>入库</th><th>售出</th><th>退供应商</th><th>调入</th><th>调出</th><th>盘差</th><th>预警</th></tr></thead>
            <tbody>{{#items}}<tr><td>{{sku}}</td><td>{{name}}</td><td>{{onHand}}</td><td>{{received}}</td><td>{{sold}}</td><td>{{returned}}</td><td>{{transferredIn}}</td><td>{{transferredOut}}</td><td>{{variance}}</td><td>{{#low}}低库存{{/low}}</td></tr>{{/items}}
            {{^items}}<tr><td colspan="10">暂无库存</td></tr>{{/items}}</tbody></table></div>
            {{#done}}<p class="saved" role="status">已记录：{{done}}</p>{{/done}}
            <h2>调拨</h2>
            <table class="figures" id="transfers"><thead><tr><th>调出门店</th><th>调入门店</th><th>商品编码</th><th>数量</th><th>状态</th></tr></thead>
            <tbody>{{#incoming}}<tr><td>{{from}}</td><td>{{to}}</td><td>{{sku}}</td><td>{{quantity}}</td><td>{{#waiting}}{{#here}}<form method="post" action="/console/stock" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="move" value="arrive"><input type="hidden" name="transfer" value="{{id}}"><button type="submit" class="secondary">确认收货</button></form>{{/here}}{{^here}}在途{{/here}}{{/waiting}}{{^waiting}}已到货{{/waiting}}</td></tr>{{/incoming}}
            {{#outgoing}}<tr><td>{{from}}</td><td>{{to}}</td><td>{{sku}}</td><td>{{quantity}}</td><td>{{#waiting}}在途{{/waiting}}{{^waiting}}已到货{{/waiting}}</td></tr>{{/outgoing}}</tbody></table>
            {{#here}}<form method="post" action="/console/stock" class="card" id="stock-move">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>操作 <select name="move"><option value="receive">收货入库</option><option value="return">退货给供应商</option><option value="transfer">调拨到其他门店</option><option value="count">盘点（实盘数量）</option><option value="low">预警线</option></select></label>
            <label>商品编码 <input name="sku" required maxlength="32" autocomplete="off"></label>
            <label>数量 <input name="quantity" required maxlength="9" inputmode="numeric" autocomplete="off"></label>
            <label>供应商（入库、退货） <input name="supplier" maxlength="64" autocomplete="off"></label>
            <label>调入门店（调拨） <input name="to" maxlength="64" autocomplete="off"></label>
            <button type="submit">记录</button>
            </form>{{/here}}
            <p><a href="/console">返回</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-program": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>营销方案 · 第 {{version}} 版</h1>
            {{#saved}}<p class="saved" role="status">已保存为第 {{saved}} 版，正在同步到各门店。</p>{{/saved}}
            <form method="post" action="/console/programs/preview" id="program">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}">
            {{#parts}}
            <h2>{{title}}</h2>
            <input type="hidden" name="{{key}}_rows" value="{{count}}">
            <div class="scroll"><table class="figures edit" id="{{key}}"><thead><tr>{{#columns}}<th>{{label}}</th>{{/columns}}</tr></thead>
            <tbody>{{#rows}}<tr>{{#cells}}<td>{{#check}}<input type="checkbox" name="{{name}}" aria-label="{{label}}"{{#on}} checked{{/on}}>{{/check}}{{#choice}}<select name="{{name}}" aria-label="{{label}}">{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select>{{/choice}}{{#field}}<input name="{{name}}" value="{{value}}" aria-label="{{label}}" inputmode="{{inputmode}}" maxlength="{{maxlength}}" placeholder="{{placeholder}}">{{/field}}{{#lines}}<textarea name="{{name}}" aria-label="{{label}}" maxlength="{{maxlength}}" rows="3">{{value}}</textarea>{{/lines}}{{#fixed}}{{shown}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fixed}}</td>{{/cells}}</tr>{{/rows}}</tbody></table></div>
            <p class="note">{{note}}</p>
            {{/parts}}
            <p class="note">保存前先预览：受影响的会员与变更的部分。</p>
            <button type="submit">预览变更</button>
            </form>
            <p><a href="/console">返回</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-program-preview": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>预览：第 {{version}} 版之后</h1>
            <p class="card" id="impact">变更：{{#changes}}{{changes}}{{/changes}}{{^changes}}无{{/changes}}。此变更将使 <strong>{{up}}</strong> 位会员升级、<strong>{{down}}</strong> 位会员降级（共 {{members}} 位会员）。</p>
            <table class="figures"><thead><tr><th>等级</th><th>现在</th><th>变更后</th></tr></thead>
            <tbody>{{#moves}}<tr><td>{{name}}</td><td>{{before}}</td><td>{{after}}</td></tr>{{/moves}}</tbody></table>
            <form method="post" action="/console/programs" class="card" id="confirm">
            <input type="hidden" name="csrf" value="{{csrf}}">
            {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
            <button type="submit">确认保存</button> <a href="/console/programs">放弃</a>
            </form>
            {{/content}}
            {{/layout}}
            """,
        "console-tiers": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>会员等级 · 方案第 <span id="version">{{version}}</span> 版</h1>
            <table class="figures" id="ladder"><thead><tr><th>等级</th><th>名称</th><th>累计消费</th><th>单次充值</th><th>累计积分</th><th>折扣 %</th><th>积分倍数 %</th></tr></thead>
            <tbody>{{#tiers}}<tr><td>{{tier}}</td><td>{{name}}</td><td>{{spend}}</td><td>{{singleTopup}}</td><td>{{points}}</td><td>{{discount}}</td><td>{{multiplier}}</td></tr>{{/tiers}}
            {{^tiers}}<tr><td colspan="7">方案未设等级（按连锁设置）</td></tr>{{/tiers}}</tbody></table>
            <p class="note">由总部制定，各门店同步后生效。</p>
            <p><a href="/console">返回</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-bookings": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>预约 · {{branch}} · {{day}}</h1>
            {{#overbooked}}<p class="error">超额预约：{{overbooked}}（断网期间多处同时接受），请联系会员调整。</p>{{/overbooked}}
            <table class="figures" id="bookings"><thead><tr><th>时间</th><th>服务</th><th>会员号</th><th>状态</th><th></th></tr></thead>
            <tbody>{{#bookings}}<tr><td>{{slot}}</td><td>{{service}}</td><td>{{member}}</td><td>{{#cancelled}}已取消{{/cancelled}}{{^cancelled}}有效{{/cancelled}}</td>
            <td>{{^cancelled}}<form method="post" action="/console/bookings/cancel" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit" class="secondary">取消</button></form>{{/cancelled}}</td></tr>{{/bookings}}
            {{^bookings}}<tr><td colspan="5">当日暂无预约</td></tr>{{/bookings}}</tbody></table>
            <form method="get" action="/console/bookings" class="inline"><label>日期 <input name="day" value="{{day}}" maxlength="10"></label> <button type="submit">查看</button></form>
            {{/content}}
            {{/layout}}
            """,
        "console-reports": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>报表 · {{scope}} · {{from}} 至 {{to}}</h1>
            <form method="get" action="/console/reports" class="inline"><label>从 <input name="from" value="{{from}}" maxlength="10"></label>
            <label>到 <input name="to" value="{{to}}" maxlength="10"></label> <button type="submit">查看</button></form>
            <p class="card" id="summary">净销售 ¥{{net}} · {{sales}} 笔 · 会员 {{members}} 人 · 预付负债 ¥{{liability}}</p>
            <section class="card">{{{byDay}}}<p class="note"><a href="/console/csv/sales?by=day&amp;from={{from}}&amp;to={{to}}">下载 CSV（按日）</a> ·
            <a href="/console/csv/sales?by=product&amp;from={{from}}&amp;to={{to}}">按商品</a> · <a href="/console/csv/sales?by=staff&amp;from={{from}}&amp;to={{to}}">按员工</a> ·
            <a href="/console/csv/branches?from={{from}}&amp;to={{to}}">按门店</a></p></section>
            <section class="card">{{{byHour}}}<p class="note"><a href="/console/csv/sales?by=hour&amp;from={{from}}&amp;to={{to}}">下载 CSV（按时段）</a></p></section>
            <section class="card">{{{tierMix}}}<p class="note"><a href="/console/csv/tiers">下载 CSV</a></p></section>
            <section class="card">{{{rfm}}}
            <table class="figures"><thead><tr><th>分群</th><th>说明</th><th>人数</th></tr></thead>
            <tbody>{{#segments}}<tr><td>{{segment}}</td><td>{{name}}</td><td>{{members}}</td></tr>{{/segments}}</tbody></table>
            <p class="note"><a href="/console/csv/members">下载 CSV</a></p></section>
            <section class="card">{{{liabilityChart}}}<p class="note"><a href="/console/csv/liability">下载 CSV</a> · <a href="/console/csv/points">积分 CSV</a></p></section>
            <p class="note">数据截至 {{asOf}}</p>
            {{/content}}
            {{/layout}}
            """,
        "console-books": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>账务 · {{branch}} · {{month}}</h1>
            <form method="get" action="/console/books" class="inline"><label>月份 <input name="month" value="{{month}}" maxlength="7"></label> <button type="submit">查看</button></form>
            <h2>日结</h2>
            <table class="figures" id="till-days"><thead><tr><th>日期</th><th>收银台</th><th>应有现金</th><th>清点</th><th>差额</th></tr></thead>
            <tbody>{{#days}}<tr><td>{{day}}</td><td>{{till}}</td><td>¥{{expected}}</td><td>{{#closed}}¥{{counted}}{{/closed}}{{^closed}}未日结{{/closed}}</td><td>{{difference}}</td></tr>{{/days}}
            {{^days}}<tr><td colspan="5">本月暂无收银记录</td></tr>{{/days}}</tbody></table>
            <p class="note">已日结差额合计 ¥{{difference}}</p>
            <h2>费用</h2>
            <table class="figures"><tbody>{{#expenses}}<tr><td>{{category}}</td><td>¥{{amount}}</td></tr>{{/expenses}}<tr><td>合计</td><td>¥{{expenseTotal}}</td></tr></tbody></table>
            <h2>应付供应商</h2>
            <table class="figures"><tbody>{{#suppliers}}<tr{{#overdue}} class="down"{{/overdue}}><td>{{supplier}}{{#overdue}}（有逾期）{{/overdue}}</td><td>¥{{owed}}</td></tr>{{/suppliers}}<tr><td>合计</td><td>¥{{owed}}</td></tr></tbody></table>
            {{/content}}
            {{/layout}}
            """,
        "console-catalogue": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>商品与服务</h1>
            <form method="get" action="/console/catalogue" class="inline"><label>编码、条码或名称 <input name="q" value="{{q}}" maxlength="64"></label> <button type="submit">查找</button></form>
            <table class="figures" id="catalogue"><thead><tr><th>编码</th><th>名称</th><th>类型</th><th>分类</th><th>标价</th><th>本店价</th><th>单位</th><th>状态</th></tr></thead>
            <tbody>{{#products}}<tr><td>{{sku}}</td><td>{{name}}</td><td>{{kind}}</td><td>{{category}}</td><td>¥{{price}}</td><td>¥{{priceHere}}</td><td>{{unit}}</td><td>{{#active}}在售{{/active}}{{^active}}停售{{/active}}</td></tr>{{/products}}
            {{^products}}<tr><td colspan="8">没有商品</td></tr>{{/products}}</tbody></table>
            <p class="note">商品由总部维护（mms product add / edit），各门店同步。</p>
            {{/content}}
            {{/layout}}
            """,
        "console-staff": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>员工与收银台 · {{branch}}</h1>
            {{#saved}}<p class="saved mono" role="status" id="saved">{{saved}}</p>{{/saved}}
            <table class="figures" id="operators"><thead><tr><th>工号</th><th>姓名</th><th>角色</th><th>门店</th><th>状态</th><th></th></tr></thead>
            <tbody>{{#operators}}<tr><td>{{id}}</td><td>{{name}}</td><td>{{role}}</td><td>{{branch}}</td><td>{{status}}</td>
            <td>{{#active}}<form method="post" action="/console/staff" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="disable"><input type="hidden" name="id" value="{{id}}"><label><input type="checkbox" name="confirm" value="yes" style="width:auto"> 确认</label> <button type="submit" class="secondary">停用</button></form>{{/active}}</td></tr>{{/operators}}</tbody></table>
            <form method="post" action="/console/staff" class="card" id="add-operator">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="add">
            <label>工号 <input name="id" required maxlength="64" autocomplete="off"></label>
            <label>姓名 <input name="name" required maxlength="64" autocomplete="off"></label>
            <label>角色 <select name="role"><option value="cashier">收银员</option><option value="manager">店长</option>{{#headOffice}}<option value="auditor">审计员</option><option value="hq_admin">总部管理员</option>{{/headOffice}}</select></label>
            <label>初始密码 <input name="password" type="password" required maxlength="128" autocomplete="new-password"></label>
            <button type="submit">添加员工</button>
            </form>
            <h2>收银台</h2>
            <table class="figures" id="tills"><tbody>{{#tills}}<tr><td>{{name}}</td><td>{{#revoked}}已注销{{/revoked}}{{^revoked}}在用
            <form method="post" action="/console/staff" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="revoke"><input type="hidden" name="till" value="{{name}}"><label><input type="checkbox" name="confirm" value="yes" style="width:auto"> 确认</label> <button type="submit" class="secondary">注销</button></form>{{/revoked}}</td></tr>{{/tills}}
            {{^tills}}<tr><td>暂无收银台</td></tr>{{/tills}}</tbody></table>
            <form method="post" action="/console/staff" class="card inline" id="register-till">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="register">
            <label>收银台名称 <input name="till" required maxlength="64" autocomplete="off"></label> <button type="submit">登记</button>
            </form>
            {{/content}}
            {{/layout}}
            """,
        "console-outbox": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>消息发件箱</h1>
            <p>{{#counts}}{{status}} {{count}} · {{/counts}}</p>
            <table class="figures" id="outbox"><thead><tr><th>排队时间</th><th>类型</th><th>会员号</th><th>状态</th><th>尝试</th><th>说明</th></tr></thead>
            <tbody>{{#messages}}<tr><td>{{queuedAt}}</td><td>{{kind}}</td><td>{{member}}</td><td>{{status}}</td><td>{{attempts}}</td><td>{{detail}}</td></tr>{{/messages}}
            {{^messages}}<tr><td colspan="6">暂无消息</td></tr>{{/messages}}</tbody></table>
            {{/content}}
            {{/layout}}
            """,
        "console-audit": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>审计记录（最近 200 条）</h1>
            <table class="figures" id="audit"><thead><tr><th>时间</th><th>门店</th><th>操作员</th><th>终端</th><th>业务</th><th>内容</th></tr></thead>
            <tbody>{{#entries}}<tr><td>{{at}}</td><td>{{branch}}</td><td>{{operator}}</td><td>{{till}}</td><td>{{kind}}</td><td>{{what}}</td></tr>{{/entries}}</tbody></table>
            {{/content}}
            {{/layout}}
            """,
        "console-card-confirm": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>{{title}}：卡 {{card}}</h1>
            <p class="card" id="warning">{{warning}}</p>
            <form method="post" action="/console/cards" class="card" id="confirm">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="member" value="{{member}}"><input type="hidden" name="card" value="{{card}}">
            <input type="hidden" name="action" value="{{action}}"><input type="hidden" name="key" value="{{key}}"><input type="hidden" name="confirm" value="yes">
            {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
            {{#askPIN}}<label>会员输入密码 <input name="pin" type="password" inputmode="numeric" maxlength="12" autocomplete="off"></label>{{/askPIN}}
            {{#askNewPIN}}<label>新密码（4–6 位数字） <input name="newPIN" type="password" inputmode="numeric" maxlength="12" autocomplete="off"></label>{{/askNewPIN}}
            <button type="submit">{{title}}</button> <a href="/console/members/{{member}}">放弃</a>
            </form>
            {{/content}}
            {{/layout}}
            """,
        "console-card-refused": """
            {{<layout}}
            {{$nav}}{{> console-nav}}{{/nav}}
            {{$content}}
            <h1>未完成，未做任何更改</h1>
            <p><a href="/console/members/{{member}}">返回会员</a></p>
            {{/content}}
            {{/layout}}
            """,
        "console-nav": """
            <nav><a href="/console">概况</a><a href="/console/tiers">会员等级</a><a href="/console/bookings">预约</a><a href="/console/catalogue">商品</a>{{#reader}}<a href="/console/reports">报表</a><a href="/console/outbox">发件箱</a><a href="/console/audit">审计</a><a href="/console/books">账务</a>{{/reader}}{{#staffManager}}<a href="/console/staff">员工</a>{{/staffManager}}{{#headOffice}}<a href="/console/programs">营销方案</a>{{/headOffice}}
            <span>{{who}} · {{role}} · {{node}}</span> <a href="{{languageLink}}" lang="{{otherLanguage}}" id="language">{{otherLanguageName}}</a>
            <form method="post" action="/console/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">退出</button></form></nav>
            """,
        "member-login": """
            {{<layout}}
            {{$content}}
            <h1>我的会员卡</h1>
            <form method="post" action="/m/login" class="card">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>卡号 <input name="card" required maxlength="64" inputmode="numeric" autocomplete="off"></label>
            <label>密码 <input name="pin" type="password" required maxlength="12" inputmode="numeric" autocomplete="off"></label>
            <button type="submit">登录</button>
            </form>
            {{/content}}
            {{/layout}}
            """,
        "member-code": """
            {{<layout}}
            {{$head}}<meta http-equiv="refresh" content="{{refresh}}">{{/head}}
            {{$nav}}<nav><a href="/m">返回</a></nav>{{/nav}}
            {{$content}}
            <h1>会员码</h1>
            <section class="card code">
            <div class="qr" id="qr">{{{qr}}}</div>
            <p class="mono" id="code">{{code}}</p>
            <p class="note">出示给收银员扫码，代替会员卡付款；{{expires}} 前有效，页面会自动刷新。请勿截图转发。</p>
            </section>
            {{/content}}
            {{/layout}}
            """,
        "member-home": """
            {{<layout}}
            {{$nav}}<nav><form method="post" action="/m/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">退出</button></form></nav>{{/nav}}
            {{$content}}
            <h1>{{name}}</h1>
            {{#viewOnly}}<p class="card" id="view-only">您从小票二维码进入，仅可查看。使用会员码、签到或预约请 <a href="/m/login">用卡号和密码登录</a>。</p>{{/viewOnly}}
            {{^viewOnly}}<p><a class="button" href="/m/code" id="member-code">会员码</a>
            {{#checkIn}}{{#done}}<span class="note" id="checked-in">今日已签到</span>{{/done}}{{^done}}{{^elsewhere}}<form method="post" action="/m/check-in" class="inline" id="check-in"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">签到 +{{points}} 积分</button></form>{{/elsewhere}}{{#elsewhere}}<span class="note">签到请到所属门店 {{home}} 的会员页面</span>{{/elsewhere}}{{/done}}{{/checkIn}}</p>{{/viewOnly}}
            <section class="card balance">
            <p class="big" id="balance">¥{{balance}}</p>
            <p>赠送余额 ¥{{bonus}} · 积分 <span id="points">{{points}}</span>{{#usesLeft}} · 剩余次数 {{usesLeft}}{{/usesLeft}}</p>
            <p>等级 {{tierName}}{{#nextTier}} · 再消费 ¥{{spendToNextTier}} 升至 {{nextTier}}{{/nextTier}}</p>
            <p class="note">卡号 {{card}} · 手机 {{phone}}</p>
            </section>
            <ul class="lots" id="lots">{{#lots}}<li>{{points}} 积分 · {{expires}}</li>{{/lots}}</ul>
            <h2>优惠券</h2>
            {{#coupons}}<p class="card">{{title}} ¥{{value}} {{#left}}可用{{/left}}{{^left}}已用{{/left}}</p>{{/coupons}}
            {{^coupons}}<p>暂无优惠券</p>{{/coupons}}
            <h2 id="bookings">我的预约</h2>
            {{#bookings}}<div class="card booking"><p>{{slot}} · {{service}} · {{branch}}{{#cancelled}} · 已取消{{/cancelled}}</p>
            {{^cancelled}}{{^viewOnly}}<form method="post" action="/m/bookings/cancel" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit" class="secondary">取消预约</button></form>{{/viewOnly}}{{/cancelled}}</div>{{/bookings}}
            {{^bookings}}<p>暂无预约</p>{{/bookings}}
            {{#bookable}}{{^viewOnly}}
            <form method="post" action="/m/bookings" class="card" id="book">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>门店 <select name="branch">{{#branches}}<option value="{{id}}"{{#here}} selected{{/here}}>{{id}}</option>{{/branches}}</select></label>
            <label>服务 <select name="service">{{#services}}<option value="{{sku}}">{{name}}</option>{{/services}}</select></label>
            <label>日期 <select name="day">{{#days}}<option value="{{day}}"{{#first}} selected{{/first}}>{{day}}</option>{{/days}}</select></label>
            <label>时间 <select name="time">{{#times}}<option value="{{.}}">{{.}}</option>{{/times}}</select></label>
            <button type="submit">预约</button>
            </form>
            {{/viewOnly}}{{/bookable}}
            <h2>最近记录</h2>
            <ul class="history">{{#history}}<li>{{at}} {{kind}} {{#amount}}¥{{amount}}{{/amount}}</li>{{/history}}</ul>
            {{/content}}
            {{/layout}}
            """,
    ]

    /// The one script: a photo taken or chosen on the profile is shrunk to at most 480 × 640 JPEG
    /// before it is sent, so a phone camera's megabytes fit the node's 56 KB. Without script the
    /// file goes as chosen, and one too large is refused with a page that says so.
    static let photoScript = """
        "use strict";
        document.addEventListener("DOMContentLoaded", function () {
          var input = document.querySelector("input[type=file][name=photo]");
          if (!input || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
          var button = input.form.querySelector("button[type=submit]"), limit = 56 * 1024;
          input.addEventListener("change", function () {
            var file = input.files[0];
            if (!file || file.size <= limit) return;
            button.disabled = true;
            var image = new Image();
            image.onload = function () {
              var scale = Math.min(1, 480 / image.width, 640 / image.height);
              var canvas = document.createElement("canvas");
              canvas.width = Math.round(image.width * scale);
              canvas.height = Math.round(image.height * scale);
              canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
              URL.revokeObjectURL(image.src);
              (function encode(quality) {
                canvas.toBlob(function (blob) {
                  if (blob.size > limit && quality > 0.3) return encode(quality - 0.15);
                  var shrunk = new DataTransfer();
                  shrunk.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
                  input.files = shrunk.files;
                  button.disabled = false;
                  input.dataset.shrunk = String(blob.size);
                }, "image/jpeg", quality);
              })(0.85);
            };
            image.onerror = function () { button.disabled = false; };
            image.src = URL.createObjectURL(file);
          });
        });
        """

    /// One small stylesheet: readable on a 390-pixel phone and on a desk.
    static let css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;color:#1d2430;background:#f4f6f8}
        .bar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#12355b;color:#fff}
        .brand{font-weight:600}nav{display:flex;gap:.75rem;align-items:center}main{max-width:60rem;margin:0 auto;padding:1rem}
        h1{font-size:1.35rem}h2{font-size:1.1rem}.card{background:#fff;border-radius:.5rem;padding:1rem;margin:.75rem 0;box-shadow:0 1px 2px #0002}
        form.card label{display:block;margin:.5rem 0}input{font:inherit;width:100%;padding:.5rem;border:1px solid #b8c2cc;border-radius:.35rem}
        button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.35rem;background:#1f6feb;color:#fff}.inline{display:inline}
        form.inline label{display:inline-block;width:auto}form.inline input{width:12rem}
        nav a{color:#fff}select{font:inherit;width:100%;padding:.5rem;border:1px solid #b8c2cc;border-radius:.35rem;background:#fff}
        button.secondary{background:#5a6675;padding:.3rem .7rem}.booking p{margin:.2rem 0}a.button{display:inline-block;padding:.5rem 1rem;border-radius:.35rem;background:#1f6feb;color:#fff;text-decoration:none}
        tr.down td{color:#8a1c1c}svg.chart{width:100%;height:auto}.code{text-align:center}.qr svg{width:100%;max-width:18rem;height:auto}.mono{font-family:ui-monospace,monospace;word-break:break-all;font-size:.85rem}.saved{background:#e6f4ea;color:#17602c;padding:.6rem;border-radius:.35rem}
        table.edit input{width:7rem;padding:.3rem}table.edit select{width:auto;padding:.3rem}table.edit input[type=checkbox]{width:auto}table.edit textarea{font:inherit;width:28rem;padding:.3rem}.scroll{overflow-x:auto}img.photo{display:block;width:8rem;height:auto;border-radius:.35rem;margin-bottom:.5rem}.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:.35rem}.note{color:#5a6675;font-size:.9rem}
        table.figures{width:100%;border-collapse:collapse;background:#fff}table.figures th,table.figures td{padding:.4rem;border-bottom:1px solid #e3e8ee;text-align:right}
        table.figures th:first-child,table.figures td:first-child{text-align:left}.big{font-size:2rem;font-weight:600;margin:.2rem 0}
        ul.history{padding-left:1.2rem}@media(max-width:30rem){table.figures{font-size:.85rem}form.inline input{width:100%}}
        """
}
